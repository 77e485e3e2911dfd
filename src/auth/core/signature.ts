import { constants, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithms.js';

const PSS = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
};
const JOSE_ECDSA = { dsaEncoding: 'ieee-p1363' };

/** The node:crypto key type, digest and options of each algorithm (RFC 7518 §3.3-3.5, RFC 8037 §3.1). */
const VERIFIERS: Readonly<
  Record<
    SignatureAlgorithm,
    { keyTypes: readonly string[]; curve?: string; digest: string | null; options?: object }
  >
> = {
  RS256: { keyTypes: ['rsa'], digest: 'sha256' },
  RS384: { keyTypes: ['rsa'], digest: 'sha384' },
  RS512: { keyTypes: ['rsa'], digest: 'sha512' },
  // RFC 7518 §3.5: MGF1 with the same hash, a salt as long as the hash.
  PS256: { keyTypes: ['rsa', 'rsa-pss'], digest: 'sha256', options: PSS },
  PS384: { keyTypes: ['rsa', 'rsa-pss'], digest: 'sha384', options: PSS },
  PS512: { keyTypes: ['rsa', 'rsa-pss'], digest: 'sha512', options: PSS },
  // RFC 7518 §3.4: R and S concatenated, not DER.
  ES256: { keyTypes: ['ec'], curve: 'prime256v1', digest: 'sha256', options: JOSE_ECDSA },
  ES384: { keyTypes: ['ec'], curve: 'secp384r1', digest: 'sha384', options: JOSE_ECDSA },
  ES512: { keyTypes: ['ec'], curve: 'secp521r1', digest: 'sha512', options: JOSE_ECDSA },
  // RFC 8037 §3.1: Ed25519 signs the message itself, no digest.
  EdDSA: { keyTypes: ['ed25519'], digest: null },
  Ed25519: { keyTypes: ['ed25519'], digest: null },
};

/**
 * Whether `signature` (base64url) is `alg`'s signature of `signingInput` under `key` (RFC 7515
 * §5.2), in one call to node:crypto. `false` also for a key of another type or curve than `alg`
 * needs (RFC 8725 §3.1; the key provider hands out a key only for the algorithms it fits, this
 * checks again), and for a signature node:crypto cannot read.
 */
export function verifySignature(
  alg: SignatureAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: string,
): boolean {
  const verifier = VERIFIERS[alg];
  if (!verifier.keyTypes.includes(key.asymmetricKeyType ?? '')) return false;
  if (verifier.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== verifier.curve) {
    return false;
  }
  try {
    return verify(
      verifier.digest,
      Buffer.from(signingInput, 'latin1'),
      verifier.options === undefined ? key : { key, ...verifier.options },
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
