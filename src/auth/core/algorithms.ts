/** The signature algorithms this library can verify: asymmetric only (RFC 8725 §3.1). */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** One of {@link SUPPORTED_ALGORITHMS}. */
export type SignatureAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** The algorithms accepted when none are configured. */
export const DEFAULT_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256'];

/**
 * Algorithms that are asked for but cannot be verified here, with why: jose (through which jwks-rsa
 * imports JWKs) and WebCrypto know Ed25519 only, so an Ed448 key never becomes a key to verify with.
 */
export const UNSUPPORTED_ALGORITHM_REASONS: Readonly<Record<string, string>> = {
  Ed448:
    'Ed448 cannot be verified here (jose, which imports the keys, supports only Ed25519); use EdDSA or Ed25519 with Ed25519 keys',
};

/** Whether `alg` names an algorithm this library verifies. */
export function isSupportedAlgorithm(alg: unknown): alg is SignatureAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly unknown[]).includes(alg);
}

/**
 * Whether `alg` is verified with an Ed25519 key: `EdDSA` (RFC 8037 §3.1) or its fully-specified
 * name `Ed25519` (RFC 9864 §2.2).
 */
export function isEdDsa(alg: string): alg is 'EdDSA' | 'Ed25519' {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

/** The JWK key type and, for EC and OKP, the curve that an algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1). */
export function keyTypeFor(alg: SignatureAlgorithm): { kty: 'RSA' | 'EC' | 'OKP'; crv?: string } {
  switch (alg) {
    case 'ES256':
      return { kty: 'EC', crv: 'P-256' };
    case 'ES384':
      return { kty: 'EC', crv: 'P-384' };
    case 'ES512':
      return { kty: 'EC', crv: 'P-521' };
    case 'EdDSA':
    case 'Ed25519':
      return { kty: 'OKP', crv: 'Ed25519' };
    default:
      return { kty: 'RSA' };
  }
}
