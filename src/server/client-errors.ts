/** Node's codes for a request whose client went away before its body was read (`Error: aborted`). */
const ABORTED = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * The status to answer when `error` is the client's doing rather than the app's: an aborted body, or one
 * that Fastify refused before any route ran (too large, bad media type, bad `Content-Length`, bad JSON:
 * its `FST_ERR_*` errors carry a 4xx `statusCode`). `undefined` for anything else, which stays an
 * unexpected error, logged with its stack.
 */
export function clientErrorStatus(error: unknown): number | undefined {
  // Not `instanceof Error`: errors from another realm (a vm context, a worker) count too.
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string') return undefined;
  if (ABORTED.has(code)) return 400;
  if (
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  )
    return statusCode;
  return undefined;
}
