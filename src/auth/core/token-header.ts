import { isSupportedAlgorithm, type SignatureAlgorithm } from './algorithms.js';
import { InvalidTokenError } from './errors.js';

/** The parts of a JWS protected header that verification uses. */
export interface TokenHeader {
  alg: SignatureAlgorithm;
  kid: string;
}

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;
const MAX_KID_LENGTH = 256;
/**
 * RFC 8725 §3.11 (explicit typing): refuse JWTs typed as something other than an access token,
 * so an ID token, logout token or DPoP proof cannot be replayed here. RFC 9068 §2.1 names `at+jwt`;
 * Auth0 and most issuers still send `JWT` or nothing, so those are accepted too.
 */
const ACCEPTED_TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt', 'application/jwt']);
/** RFC 9068 §4: the only types a strict resource server accepts (media types compare case-insensitively). */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** Decodes one base64url segment as a JSON object, or returns `undefined`. */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A compact JWS split once: its checked header, its claims (decoded, not verified), and what is signed. */
export interface ParsedToken {
  header: TokenHeader;
  /** The payload as a JSON object; nothing in it is verified yet. */
  claims: Record<string, unknown>;
  /** `header.payload`, the JWS signing input (RFC 7515 §5.2). */
  signingInput: string;
  /** The signature segment, base64url. */
  signature: string;
}

/**
 * Reads and checks a compact JWS's protected header before any key is looked up or any signature
 * verified: allowed algorithm, a `kid`, no critical extensions, an access-token type. Header fields
 * that carry or point to keys (`jku`, `jwk`, `x5u`, `x5c`) are ignored: keys come only from the
 * issuer's key set (RFC 8725 §3.10 guards against trusting them).
 */
export function readTokenHeader(
  token: string,
  allowedAlgorithms: readonly SignatureAlgorithm[],
  options: { requireAccessTokenType?: boolean } = {},
): TokenHeader {
  return parseToken(token, allowedAlgorithms, options).header;
}

/**
 * {@link readTokenHeader}'s checks, and the token's parts for the rest of the verification, so that
 * no segment is decoded twice.
 */
export function parseToken(
  token: string,
  allowedAlgorithms: readonly SignatureAlgorithm[],
  { requireAccessTokenType = false }: { requireAccessTokenType?: boolean } = {},
): ParsedToken {
  const segments = token.split('.');
  // An empty signature is let through this shape check so that alg "none" is named as such below.
  if (
    segments.length !== 3 ||
    !BASE64URL_SEGMENT.test(segments[0]!) ||
    !BASE64URL_SEGMENT.test(segments[1]!) ||
    !(segments[2] === '' || BASE64URL_SEGMENT.test(segments[2]!))
  ) {
    throw new InvalidTokenError('malformed token: not a signed JWT', {
      detail: `token has ${segments.length} segment(s) or non-base64url characters`,
    });
  }
  const header = decodeJsonSegment(segments[0]!);
  if (header === undefined) {
    throw new InvalidTokenError('malformed token: header is not a JSON object');
  }
  const { alg, kid, crit, typ } = header;
  // RFC 8725 §3.1: the accepted algorithms are pinned; `none` and HMAC are never in the list.
  if (typeof alg !== 'string' || !isSupportedAlgorithm(alg) || !allowedAlgorithms.includes(alg)) {
    throw new InvalidTokenError('signing algorithm not accepted', {
      detail: `alg ${JSON.stringify(alg)} not in [${allowedAlgorithms.join(', ')}]`,
    });
  }
  // RFC 7515 §4.1.11: a recipient must reject a token whose critical extensions it does not understand,
  // and this verifier understands none.
  if (crit !== undefined) {
    throw new InvalidTokenError('token uses unsupported critical header extensions');
  }
  const types = requireAccessTokenType ? ACCESS_TOKEN_TYPES : ACCEPTED_TYPES;
  if (
    (requireAccessTokenType || typ !== undefined) &&
    (typeof typ !== 'string' || !types.has(typ.toLowerCase()))
  ) {
    throw new InvalidTokenError('token type not accepted: expected an access token', {
      detail: `typ ${JSON.stringify(typ)}`,
    });
  }
  // The key set may hold several keys; without a kid we would have to try them one by one.
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
    throw new InvalidTokenError('token header has no valid key id (kid)');
  }
  if (segments[2] === '') {
    throw new InvalidTokenError('malformed token: no signature');
  }
  // RFC 8725 §3.5: checked here, before any key lookup (a signed `null` payload once made a
  // verifier throw outside any error handler).
  const claims = decodeJsonSegment(segments[1]!);
  if (claims === undefined) {
    throw new InvalidTokenError('malformed token: claims are not a JSON object');
  }
  return {
    header: { alg, kid },
    claims,
    signingInput: token.slice(0, token.lastIndexOf('.')),
    signature: segments[2]!,
  };
}
