/** The limits the HTTP server puts on every client, from config (`HTTP_*`, `SHUTDOWN_TIMEOUT_MS`). */
export interface ServerLimits {
  /**
   * Largest request body, bytes, on the routes that take one (the development token endpoint);
   * every other route refuses a body with 413 before reading it.
   * @default 8192
   */
  bodyLimitBytes: number;
  /**
   * Time to receive a whole request, headers and body, ms; then 408 and the connection is closed.
   * @default 30000
   */
  requestTimeoutMs: number;
  /**
   * Idle keep-alive connections are closed after this, ms: longer than the 60 s idle timeout of
   * common load balancers, so that they, not we, close a connection they might reuse.
   * @default 72000
   */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. @default 10000 */
  maxConnections: number;
  /** Requests on one connection, pipelined or not; the last answer closes it, later ones get 503. @default 1000 */
  maxRequestsPerSocket: number;
  /** After SIGTERM/SIGINT, time in-flight requests get before every connection is closed, ms. @default 10000 */
  shutdownTimeoutMs: number;
}

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  bodyLimitBytes: 8192,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 10_000,
  maxRequestsPerSocket: 1_000,
  shutdownTimeoutMs: 10_000,
};
