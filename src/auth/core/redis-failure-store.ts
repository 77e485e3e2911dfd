import type { FailureLimit, FailureStore } from './failure-throttle.js';
import type { RedisScripting } from './redis.js';

/**
 * KEYS[1] the client's counter; ARGV window ms, limit. Counts a failure: the first one of a window
 * starts its expiry. Answers the milliseconds left when the limit is reached, else 0. A counter
 * that lost its expiry (PTTL -1) gets it back, so that no client is blocked for ever.
 */
const RECORD = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if n >= tonumber(ARGV[2]) then return ttl end
return 0`;

/** KEYS[1] the client's counter; ARGV limit. The milliseconds left while the limit is reached, else 0. */
const PEEK = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then return ttl end
end
return 0`;

/**
 * Failure counts in Redis or Valkey, shared by every instance that uses the same server and
 * prefix: a client that failed on one instance is answered 429 by all of them. Each call is one
 * Lua script, so that counting and reading the expiry are atomic across instances.
 */
export class RedisFailureStore implements FailureStore {
  constructor(
    private readonly redis: RedisScripting,
    private readonly limit: FailureLimit,
    /** Lets go of the connection when the store owns it. */
    private readonly release?: () => Promise<void>,
    private readonly keyPrefix = 'auth:failures:',
  ) {}

  async close(): Promise<void> {
    await this.release?.();
  }

  async blockedForMs(client: string): Promise<number> {
    return Number(
      await this.redis.eval(PEEK, {
        keys: [this.keyPrefix + client],
        arguments: [String(this.limit.limit)],
      }),
    );
  }

  async recordFailure(client: string): Promise<number> {
    return Number(
      await this.redis.eval(RECORD, {
        keys: [this.keyPrefix + client],
        arguments: [String(this.limit.windowMs), String(this.limit.limit)],
      }),
    );
  }
}
