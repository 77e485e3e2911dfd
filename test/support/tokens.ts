import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** Base64url of a JSON value or raw bytes. */
export function b64url(value: unknown): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return bytes.toString('base64url');
}

/**
 * Signs a compact JWS by hand. Hand-written on purpose: the tests must also mint what a good JWT
 * library refuses to make (alg none, HMAC keyed with a public key, crit headers).
 */
export function signJwt(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject | { hmacSecret: string | Buffer } | 'none',
): string {
  const input = `${b64url(header)}.${typeof payload === 'string' ? Buffer.from(payload).toString('base64url') : b64url(payload)}`;
  let signature: Buffer;
  if (key === 'none') signature = Buffer.alloc(0);
  else if ('hmacSecret' in key)
    signature = createHmac('sha256', key.hmacSecret).update(input).digest();
  else {
    const alg = String(header['alg']);
    const hash = `sha${alg.slice(2)}`;
    // RFC 8037 §3.1: Ed25519 (and Ed448) sign the input itself, no digest. The key decides, so that
    // a test can also sign a token whose alg does not fit its key.
    const edwards = ['ed25519', 'ed448'].includes(key.asymmetricKeyType ?? '');
    signature = edwards
      ? sign(null, Buffer.from(input), key)
      : alg.startsWith('PS')
        ? sign(hash, Buffer.from(input), {
            key,
            padding: 6 /* RSA_PKCS1_PSS_PADDING */,
            saltLength: Number(alg.slice(2)) / 8,
          })
        : alg.startsWith('ES')
          ? sign(hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
          : sign(hash, Buffer.from(input), key);
  }
  return `${input}.${signature.toString('base64url')}`;
}

/** A private key from a PEM string (for fixtures made at suite start). */
export function privateKeyFrom(pem: string): KeyObject {
  return createPrivateKey(pem);
}
