import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../server/server-limits.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A whole number from `min` to `max`, or the default when unset; a mistake adds one line naming the variable. */
function bounded(
  problems: string[],
  env: Env,
  name: string,
  fallback: number,
  [min, max]: readonly [number, number],
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(
      `${name} must be a whole number from ${min} to ${max}; unset it to use ${fallback}`,
    );
    return fallback;
  }
  return value;
}

/** The HTTP server's limits (`HTTP_*`) and the shutdown timeout, each with its default. */
export function serverLimitsFrom(problems: string[], env: Env): ServerLimits {
  const d = DEFAULT_SERVER_LIMITS;
  return {
    bodyLimitBytes: bounded(
      problems,
      env,
      'HTTP_BODY_LIMIT_BYTES',
      d.bodyLimitBytes,
      [1, 1_048_576],
    ),
    requestTimeoutMs: bounded(
      problems,
      env,
      'HTTP_REQUEST_TIMEOUT_MS',
      d.requestTimeoutMs,
      [100, 600_000],
    ),
    keepAliveTimeoutMs: bounded(
      problems,
      env,
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      d.keepAliveTimeoutMs,
      [100, 600_000],
    ),
    maxConnections: bounded(
      problems,
      env,
      'HTTP_MAX_CONNECTIONS',
      d.maxConnections,
      [1, 1_000_000],
    ),
    maxRequestsPerSocket: bounded(
      problems,
      env,
      'HTTP_MAX_REQUESTS_PER_SOCKET',
      d.maxRequestsPerSocket,
      [1, 1_000_000],
    ),
    shutdownTimeoutMs: bounded(
      problems,
      env,
      'SHUTDOWN_TIMEOUT_MS',
      d.shutdownTimeoutMs,
      [0, 600_000],
    ),
  };
}
