import { InvalidTokenError } from './errors.js';
import { grantedScopes } from './scopes.js';

/** What a token's claims must satisfy. */
export interface ClaimPolicy {
  /** The expected `iss`, compared exactly. */
  issuer: string;
  /** Accepted audiences; the token's `aud` must contain at least one. */
  audiences: readonly string[];
  /** Allowed clock skew, in seconds, for `exp` and `nbf`. */
  clockToleranceSec: number;
}

/** The verified caller: the token's subject, the scopes it grants and all of its verified claims. */
export interface Principal {
  sub: string;
  scopes: string[];
  claims: Readonly<Record<string, unknown>>;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Checks the registered claims of a token whose signature has been verified and returns the caller.
 * @param nowSec the current time in seconds since the epoch.
 */
export function checkClaims(payload: unknown, policy: ClaimPolicy, nowSec: number): Principal {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidTokenError('malformed token: claims are not a JSON object');
  }
  const claims = payload as Record<string, unknown>;
  // RFC 8725 §3.8 and RFC 9068 §4: the issuer is compared exactly, never normalised.
  if (claims['iss'] !== policy.issuer) {
    throw new InvalidTokenError('issuer not accepted', {
      detail: `iss ${JSON.stringify(claims['iss'])}, expected ${JSON.stringify(policy.issuer)}`,
    });
  }
  // RFC 8725 §3.9 and RFC 9068 §4: the token must be meant for this resource server.
  const aud = claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === 'string' && policy.audiences.includes(a))) {
    throw new InvalidTokenError('audience not accepted', {
      detail: `aud ${JSON.stringify(aud)}, expected one of ${JSON.stringify(policy.audiences)}`,
    });
  }
  // RFC 9068 §2.2: exp is required in a JWT access token.
  const exp = claims['exp'];
  if (!isNumericDate(exp)) {
    throw new InvalidTokenError('token has no valid expiry (exp)');
  }
  // RFC 7519 §4.1.4: the current time must be before exp (plus the allowed skew).
  if (nowSec >= exp + policy.clockToleranceSec) {
    throw new InvalidTokenError('token expired', { detail: `exp ${exp}, now ${nowSec}` });
  }
  const nbf = claims['nbf'];
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw new InvalidTokenError('token has an invalid nbf claim');
    if (nowSec + policy.clockToleranceSec < nbf) {
      throw new InvalidTokenError('token not yet valid (nbf)', {
        detail: `nbf ${nbf}, now ${nowSec}`,
      });
    }
  }
  if (claims['iat'] !== undefined && !isNumericDate(claims['iat'])) {
    throw new InvalidTokenError('token has an invalid iat claim');
  }
  // RFC 9068 §2.2: sub is required; it identifies the caller to the application.
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new InvalidTokenError('token has no subject (sub)');
  }
  return { sub, scopes: grantedScopes(claims), claims };
}
