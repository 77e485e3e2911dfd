import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Which RSA public exponents a key may have: `'65537'` alone, or `'fips-186-5'`, any odd e with
 * 2^16 < e < 2^256 (FIPS 186-5 §A.1.1, NIST SP 800-56B Rev. 2 §6.4.2.2).
 */
export type RsaPublicExponents = '65537' | 'fips-186-5';

/** Every {@link RsaPublicExponents} value, for option checks. */
export const RSA_PUBLIC_EXPONENTS: readonly RsaPublicExponents[] = ['65537', 'fips-186-5'];

/** The limits on published keys that {@link keyStrengthProblem} applies. */
export interface KeyStrengthLimits {
  /** Largest RSA modulus accepted, in bits. */
  maxRsaBits: number;
  /** Which RSA public exponents are accepted. */
  rsaPublicExponents: RsaPublicExponents;
}

/** RFC 7518 §3.3 and §3.5: RSA keys for RS* and PS* must be 2048 bits or larger. */
export const MIN_RSA_BITS = 2048;
/** The highest {@link KeyStrengthLimits.maxRsaBits} may be set: a verification then costs 1 to 2.5 ms. */
export const MAX_RSA_BITS_LIMIT = 16_384;

/** RFC 7518 §3.4: the curves of ES256, ES384 and ES512, by their JWK names and node:crypto's. */
export const NODE_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

const F4 = 65_537n;
const FIPS_MIN_EXCLUSIVE = 2n ** 16n;
const FIPS_MAX_EXCLUSIVE = 2n ** 256n;

/** An exponent for a log line: its digits, or its size when it is too long to print. */
function exponentText(e: bigint): string {
  return e < 2n ** 64n ? `${e}` : `of ${e.toString(2).length} bits`;
}

function rsaProblem(bits: number, e: bigint, limits: KeyStrengthLimits): string | undefined {
  // NIST SP 800-56B Rev. 2 §6.4.2.2 and FIPS 186-5 §A.1.1: e = 1 makes the padding alone a valid
  // signature (anyone can sign); e = 0 or even is no RSA key; a small e such as 3 invites
  // Bleichenbacher's 2006 forgery against lax verifiers; a large e makes each verification costly.
  const fips = e % 2n === 1n && e > FIPS_MIN_EXCLUSIVE && e < FIPS_MAX_EXCLUSIVE;
  // Anything but 'fips-186-5' means 65537 alone, so that a mistyped setting fails closed.
  if (limits.rsaPublicExponents === 'fips-186-5') {
    if (!fips) {
      return `RSA public exponent ${exponentText(e)} refused (must be odd, above 2^16 and below 2^256)`;
    }
  } else if (e !== F4) {
    const hint = fips ? `, or keySetPolicy.rsaPublicExponents 'fips-186-5'` : '';
    return `RSA public exponent ${exponentText(e)} refused (must be 65537${hint})`;
  }
  // RFC 8725 §3.5 and RFC 7518 §3.3: too small a modulus can be factored; too large a one makes each
  // verification cost milliseconds (1 to 2.5 ms at 16 384 bits), spent by every token naming it.
  if (bits < MIN_RSA_BITS) return `RSA modulus of ${bits} bits refused (at least ${MIN_RSA_BITS})`;
  // Written so that a missing or NaN maxRsaBits refuses rather than lifts the bound.
  if (!(bits <= limits.maxRsaBits)) {
    return `RSA modulus of ${bits} bits refused (at most ${limits.maxRsaBits}: keySetPolicy.maxRsaBits)`;
  }
  return undefined;
}

/**
 * Why a published public key must not verify tokens, or `undefined` when it may: RSA keys of
 * {@link MIN_RSA_BITS} to `maxRsaBits` bits with an accepted public exponent, EC keys on P-256,
 * P-384 or P-521, and Ed25519 keys (RFC 8725 §3.5, RFC 7518 §3.3 and §3.4, RFC 8037 §3.1). Whether
 * the key suits a given algorithm is a separate question.
 */
export function keyStrengthProblem(key: KeyObject, limits: KeyStrengthLimits): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return rsaProblem(details.modulusLength ?? 0, details.publicExponent ?? 0n, limits);
    case 'ec':
      return Object.values(NODE_CURVES).includes(details.namedCurve ?? '')
        ? undefined
        : `EC curve ${details.namedCurve ?? '(unnamed)'} refused (P-256, P-384 or P-521 only)`;
    case 'ed25519':
      return undefined;
    default:
      return `key type ${key.asymmetricKeyType ?? '(unknown)'} refused`;
  }
}

/**
 * Why node:crypto refuses an EC JWK on a supported curve, for a key that jwks-rsa could not convert:
 * its point is not on the curve (or its coordinates are malformed). The conversion itself refuses
 * such a point (WebCrypto's import in jose, then OpenSSL's SPKI decoding); this names the reason.
 * RFC 8725 §3.4 and NIST SP 800-56A Rev. 3 §5.6.2.3.4: an EC public key's point must be validated.
 */
export function ecPointProblem(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const crv = jwk['crv'];
  if (jwk['kty'] !== 'EC' || typeof crv !== 'string' || !Object.hasOwn(NODE_CURVES, crv)) {
    return undefined;
  }
  try {
    createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return undefined;
  } catch {
    return `EC public key refused (not a point on ${crv})`;
  }
}
