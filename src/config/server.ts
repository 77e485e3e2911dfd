import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../server/server-limits.js';
import { wholeNumber, type Env } from './env-values.js';

/** The HTTP server's limits (`HTTP_*`) and the shutdown timeout, each with its default. */
export function serverLimitsFrom(problems: string[], env: Env): ServerLimits {
  const d = DEFAULT_SERVER_LIMITS;
  return {
    bodyLimitBytes: wholeNumber(
      problems,
      env,
      'HTTP_BODY_LIMIT_BYTES',
      d.bodyLimitBytes,
      1_048_576,
      1,
    ),
    requestTimeoutMs: wholeNumber(
      problems,
      env,
      'HTTP_REQUEST_TIMEOUT_MS',
      d.requestTimeoutMs,
      600_000,
      100,
    ),
    keepAliveTimeoutMs: wholeNumber(
      problems,
      env,
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      d.keepAliveTimeoutMs,
      600_000,
      100,
    ),
    maxConnections: wholeNumber(
      problems,
      env,
      'HTTP_MAX_CONNECTIONS',
      d.maxConnections,
      1_000_000,
      1,
    ),
    maxRequestsPerSocket: wholeNumber(
      problems,
      env,
      'HTTP_MAX_REQUESTS_PER_SOCKET',
      d.maxRequestsPerSocket,
      1_000_000,
      1,
    ),
    shutdownTimeoutMs: wholeNumber(
      problems,
      env,
      'SHUTDOWN_TIMEOUT_MS',
      d.shutdownTimeoutMs,
      600_000,
      0,
    ),
  };
}
