import { createHmac, createPrivateKey, type KeyObject } from 'node:crypto';
import { b64url, signJws } from '../../src/auth/testing/jws.js';

export { b64url };

/**
 * Signs a compact JWS by hand: asymmetric algorithms through the testing kit's signer, and here
 * what the kit does not ship because only these tests need it (alg none, HMAC keyed with a public
 * key).
 */
export function signJwt(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject | { hmacSecret: string | Buffer } | 'none',
): string {
  if (key !== 'none' && !('hmacSecret' in key)) return signJws(header, payload, key);
  const input = `${b64url(header)}.${typeof payload === 'string' ? Buffer.from(payload).toString('base64url') : b64url(payload)}`;
  const signature =
    key === 'none' ? Buffer.alloc(0) : createHmac('sha256', key.hmacSecret).update(input).digest();
  return `${input}.${signature.toString('base64url')}`;
}

/** A private key from a PEM string (for fixtures made at suite start). */
export function privateKeyFrom(pem: string): KeyObject {
  return createPrivateKey(pem);
}
