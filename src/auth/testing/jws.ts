import { sign, type KeyObject } from 'node:crypto';

/** Base64url of a JSON value or raw bytes. */
export function b64url(value: unknown): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return bytes.toString('base64url');
}

/** An Ed25519 or Ed448 key, which signs the input itself, with no digest (RFC 8037 §3.1). */
export function isEdwardsKey(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
}

/**
 * Signs a compact JWS with an asymmetric key, for the algorithm its header names (RS*, PS*, ES*;
 * an Edwards-curve key signs as EdDSA whatever the header says). Written with node:crypto rather than a JWT library so that a test can also sign what a
 * library refuses to: odd headers, any payload.
 */
export function signJws(header: Record<string, unknown>, payload: unknown, key: KeyObject): string {
  const input = `${b64url(header)}.${typeof payload === 'string' ? Buffer.from(payload).toString('base64url') : b64url(payload)}`;
  const alg = String(header['alg']);
  const data = Buffer.from(input);
  const hash = `sha${alg.slice(2)}`;
  const signature =
    // The key decides, so that a test can also sign a token whose alg does not fit its key.
    isEdwardsKey(key)
      ? sign(null, data, key)
      : alg.startsWith('PS')
        ? sign(hash, data, {
            key,
            padding: 6 /* RSA_PKCS1_PSS_PADDING */,
            saltLength: Number(alg.slice(2)) / 8,
          })
        : alg.startsWith('ES')
          ? sign(hash, data, { key, dsaEncoding: 'ieee-p1363' })
          : sign(hash, data, key);
  return `${input}.${signature.toString('base64url')}`;
}
