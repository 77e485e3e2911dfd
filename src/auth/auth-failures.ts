import type { AuthRequest } from './bearer-token.request.js';
import { extractBearerToken } from './core/bearer-token.js';
import type { AuthError } from './core/errors.js';
import { decodeJsonSegment } from './core/token-header.js';

/** Requests refused by the auth layer, with why; entries go with their request. */
const failures = new WeakMap<object, AuthError>();

/** Notes why a request was refused, for the request log and metrics (called by the exception filter). */
export function recordAuthFailure(request: object, error: AuthError): void {
  failures.set(request, error);
}

/**
 * Why the auth layer refused this request (the `AuthError` answered, with its `code` and server-side
 * `detail`), or `undefined` when it did not. `request` is the object guards see (Fastify's request,
 * or Express's).
 */
export function authFailureOf(request: object): AuthError | undefined {
  return failures.get(request);
}

/** Longest `iss` worth reporting; anything longer is not an issuer URL. */
const MAX_ISSUER_LENGTH = 256;

/**
 * The `iss` the request's bearer token claims, unverified: for the log of a refused request only
 * (a token from the wrong tenant is the usual "why a 401"). Never the token; `undefined` when there
 * is no readable, reasonably short string `iss`.
 */
export function claimedIssuerOf(request: AuthRequest): string | undefined {
  let token: string;
  try {
    token = extractBearerToken(request.headers['authorization']);
  } catch {
    return undefined;
  }
  const start = token.indexOf('.') + 1;
  const end = token.indexOf('.', start);
  if (start === 0 || end === -1) return undefined;
  const iss = decodeJsonSegment(token.slice(start, end))?.['iss'];
  // Printable characters only: it came from the client and goes into a log line.
  return typeof iss === 'string' && iss.length <= MAX_ISSUER_LENGTH && /^[\x20-\x7e]+$/.test(iss)
    ? iss
    : undefined;
}
