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
] as const;

/** One of {@link SUPPORTED_ALGORITHMS}. */
export type SignatureAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** The algorithms accepted when none are configured. */
export const DEFAULT_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256'];

/** Whether `alg` names an algorithm this library verifies. */
export function isSupportedAlgorithm(alg: unknown): alg is SignatureAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly unknown[]).includes(alg);
}

/** The JWK key type and, for EC, the curve that an algorithm needs (RFC 7518 §3.1). */
export function keyTypeFor(alg: SignatureAlgorithm): { kty: 'RSA' | 'EC'; crv?: string } {
  switch (alg) {
    case 'ES256':
      return { kty: 'EC', crv: 'P-256' };
    case 'ES384':
      return { kty: 'EC', crv: 'P-384' };
    case 'ES512':
      return { kty: 'EC', crv: 'P-521' };
    default:
      return { kty: 'RSA' };
  }
}
