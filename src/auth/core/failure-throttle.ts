import { isIPv6 } from 'node:net';
import { TooManyFailuresError } from './errors.js';
import type { AuthLogger } from './logger.js';

/**
 * Where failed authentications are counted, per client, in fixed windows: one process's memory
 * ({@link MemoryFailureStore}) or a store several instances share (`RedisFailureStore`). Both
 * methods answer how long the client must still wait, in milliseconds (0: it may try).
 */
export interface FailureStore {
  /** How long the client must still wait, without counting anything. */
  blockedForMs(client: string): number | Promise<number>;
  /** Counts one failure of the client; how long it must wait now (0 while under the limit). */
  recordFailure(client: string): number | Promise<number>;
  /** Lets go of connections and timers. */
  close?(): void | Promise<void>;
}

/** How many failures a client may have in a window before it must wait for the window's end. */
export interface FailureLimit {
  /** Failures per client per window; the next request of that client is answered 429. */
  limit: number;
  /** The window, in milliseconds, counted from the client's first failure in it. */
  windowMs: number;
}

/** Clients a {@link MemoryFailureStore} remembers at most by default: about 10 MB. */
export const DEFAULT_MAX_CLIENTS = 65_536;

/**
 * Failure counts in this process's memory, a fixed window per client from its first failure. At
 * most `maxClients` are remembered: the one whose window started first is forgotten first, so a
 * flood from many addresses costs bounded memory (each entry is about 150 bytes).
 */
export class MemoryFailureStore implements FailureStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly limit: FailureLimit,
    private readonly maxClients = DEFAULT_MAX_CLIENTS,
    private readonly now: () => number = Date.now,
  ) {}

  blockedForMs(client: string): number {
    const window = this.windows.get(client);
    if (window === undefined) return 0;
    const left = window.endsAt - this.now();
    if (left <= 0) {
      this.windows.delete(client);
      return 0;
    }
    return window.count >= this.limit.limit ? left : 0;
  }

  recordFailure(client: string): number {
    const now = this.now();
    let window = this.windows.get(client);
    if (window === undefined || window.endsAt <= now) {
      this.windows.delete(client);
      // Maps iterate in insertion order: the oldest window is the first key.
      if (this.windows.size >= this.maxClients) {
        this.windows.delete(this.windows.keys().next().value!);
      }
      window = { count: 0, endsAt: now + this.limit.windowMs };
      this.windows.set(client, window);
    }
    window.count += 1;
    return window.count >= this.limit.limit ? window.endsAt - now : 0;
  }
}

/**
 * The key a client's failures are counted under: its IPv4 address, or the /64 network of an IPv6
 * address (one subscriber usually holds a whole /64, and could otherwise take a new address for
 * every attempt). An IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function failureKeyOf(address: string): string {
  // IPv4, the common case, without the IPv6 grammar (one long regular expression) below.
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [
        ...headGroups,
        ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
        ...tailGroups,
      ]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** How many blocked clients are remembered locally, so that their retries cost no store round trip. */
const MAX_LOCAL_BLOCKS = 65_536;

/**
 * Slows down clients that keep failing authentication: after {@link FailureLimit.limit} failed
 * tokens in a window, the client's next requests are answered 429 with `Retry-After` until the
 * window ends, before any signature check. Successes are never counted. A store that cannot be
 * reached lets requests through (throttling protects the server; it does not authenticate anyone)
 * and is logged once per outage.
 */
export class FailureThrottle {
  /** Clients known to be blocked, and until when: a blocked client's retries never reach the store. */
  private readonly blockedUntil = new Map<string, number>();
  private storeDown = false;

  constructor(
    private readonly store: FailureStore,
    private readonly logger: AuthLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Throws {@link TooManyFailuresError} while `address`'s client must wait. Synchronous when the
   * answer is known locally (always, with the memory store).
   */
  check(address: string): void | Promise<void> {
    const key = failureKeyOf(address);
    const until = this.blockedUntil.get(key);
    if (until !== undefined) {
      const left = until - this.now();
      if (left > 0) throw new TooManyFailuresError(left);
      this.blockedUntil.delete(key);
    }
    const blocked = this.ask(() => this.store.blockedForMs(key));
    if (typeof blocked === 'number') return this.answer(key, blocked);
    return blocked.then((ms) => this.answer(key, ms));
  }

  /** Counts a failed authentication of `address`'s client; never throws. */
  failed(address: string): void {
    const key = failureKeyOf(address);
    const blocked = this.ask(() => this.store.recordFailure(key));
    if (typeof blocked === 'number') this.remember(key, blocked);
    else void blocked.then((ms) => this.remember(key, ms));
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  /** The store's answer, or 0 (let through) while it fails. */
  private ask(call: () => number | Promise<number>): number | Promise<number> {
    let answer: number | Promise<number>;
    try {
      answer = call();
    } catch (error) {
      return this.storeFailed(error);
    }
    if (typeof answer === 'number') return answer;
    return answer.then(
      (ms) => {
        if (this.storeDown) {
          this.storeDown = false;
          this.logger.log('Failed-authentication counts are available again');
        }
        return ms;
      },
      (error: unknown) => this.storeFailed(error),
    );
  }

  private storeFailed(error: unknown): number {
    if (!this.storeDown) {
      this.storeDown = true;
      this.logger.warn(
        `Failed-authentication counts unavailable, clients are not throttled until the store answers: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return 0;
  }

  private answer(key: string, blockedMs: number): void {
    if (blockedMs <= 0) return;
    this.remember(key, blockedMs);
    throw new TooManyFailuresError(blockedMs);
  }

  private remember(key: string, blockedMs: number): void {
    if (blockedMs <= 0) return;
    if (this.blockedUntil.size >= MAX_LOCAL_BLOCKS) {
      this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.set(key, this.now() + blockedMs);
  }
}
