import type { AuthLogger } from './logger.js';

/** The part of a Redis (or Valkey) client the auth layer uses: Lua scripts, run atomically. */
export interface RedisScripting {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A connected client, and how to let go of it. */
export interface RedisConnection {
  client: RedisScripting;
  close(): Promise<void>;
}

/**
 * How long one command may take, sent and answered, in milliseconds: a stopped or overloaded
 * store must cost a request at most this, never hang it.
 */
const COMMAND_TIMEOUT_MS = 500;
/** Connect deadline, and the longest pause between reconnection attempts, in milliseconds. */
const CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A client of the Redis or Valkey server at `url` (`redis://`, `rediss://` for TLS), made for
 * shared state on the request path: commands fail at once while it is disconnected (no offline
 * queue) and after {@link COMMAND_TIMEOUT_MS} when it does not answer, and it reconnects in the
 * background for ever. Start-up does not wait for the server: callers decide what a failed
 * command means (see `FailureThrottle`). `@redis/client` is loaded only here, so a service that
 * shares no state never loads it.
 */
export async function connectRedis(url: string, logger: AuthLogger): Promise<RedisConnection> {
  const { createClient } = await import('@redis/client');
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS, rejectInFlight: true },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  // Without a listener an 'error' event would end the process; the callers log outages once.
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis at ${redactedUrl(url)} failed: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log(`Redis at ${redactedUrl(url)} is reachable again`);
    down = false;
  });
  client.connect().catch(() => {
    // Reported by the 'error' listener; the client keeps reconnecting.
  });
  return {
    client: client as unknown as RedisScripting,
    close: async () => {
      client.destroy();
    },
  };
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparsable URL)';
  }
}
