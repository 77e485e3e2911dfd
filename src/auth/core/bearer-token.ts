import { InvalidRequestError, MissingTokenError } from './errors.js';

/** RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER_CREDENTIALS = /^Bearer +(\S+)$/i;
const SCHEME = /^(\S+)(?: |$)/;
/** The common, well-formed case in one pass; anything else is diagnosed step by step below. */
const WELL_FORMED = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The longest token accepted, in characters: far above real access tokens, far below a memory risk. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Extracts the access token from an `Authorization` header value, strictly: exactly one bearer token
 * matching the b64token grammar, nothing before or after it (RFC 6750 §2.1). Tokens in the query
 * string or body are never looked at (RFC 6750 §2.2, §2.3 are optional and leak tokens into logs).
 */
export function extractBearerToken(authorization: string | string[] | undefined): string {
  if (authorization === undefined) {
    throw new MissingTokenError('no access token: send an Authorization: Bearer <token> header');
  }
  if (Array.isArray(authorization)) {
    throw new InvalidRequestError('send exactly one Authorization header');
  }
  // Checked before any regex runs over the value, so an oversized header costs nothing more.
  if (authorization.length > MAX_TOKEN_LENGTH + 16) {
    throw new InvalidRequestError('Authorization header too long');
  }
  const wellFormed = WELL_FORMED.exec(authorization);
  if (wellFormed !== null && wellFormed[1]!.length <= MAX_TOKEN_LENGTH) return wellFormed[1]!;
  const credentials = BEARER_CREDENTIALS.exec(authorization);
  if (credentials === null) {
    const scheme = SCHEME.exec(authorization)?.[1];
    if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') {
      // RFC 6750 §3.1: an unsupported authentication method is answered like no credentials at all.
      throw new MissingTokenError('unsupported authorization scheme: use Bearer');
    }
    throw new InvalidRequestError(
      'malformed Authorization header: expected Bearer followed by exactly one token',
    );
  }
  const token = credentials[1]!;
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidRequestError('bearer token too long');
  }
  if (!B64TOKEN.test(token)) {
    throw new InvalidRequestError(
      'malformed bearer token: only letters, digits and -._~+/= may appear (RFC 6750 b64token); check for quotes or spaces',
    );
  }
  return token;
}
