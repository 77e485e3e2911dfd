import { randomUUID } from 'node:crypto';

/** The header that carries a request's id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming request id may look like: UUIDs, ULIDs, hex trace ids and the like. Anything
 * else (spaces, quotes, control characters, 100 KB) is replaced, so that a client cannot write into
 * the log or the response headers through it.
 */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request's id: the caller's `X-Request-Id` when it is well-formed, a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
