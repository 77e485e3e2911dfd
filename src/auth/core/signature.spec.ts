import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { signJws } from '../testing/jws.js';
import type { SignatureAlgorithm } from './algorithms.js';
import { verifySignature } from './signature.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const p256 = ec('prime256v1');
const keys: Record<SignatureAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  RS256: rsa,
  RS384: rsa,
  RS512: rsa,
  PS256: rsa,
  PS384: rsa,
  PS512: rsa,
  ES256: p256,
  ES384: ec('secp384r1'),
  ES512: ec('secp521r1'),
  EdDSA: generateKeyPairSync('ed25519'),
  Ed25519: generateKeyPairSync('ed25519'),
};

/** The signing input and signature of a token signed for `alg`. */
function parts(alg: SignatureAlgorithm, key = keys[alg].privateKey) {
  const token = signJws({ alg, kid: 'k' }, { sub: 'alice' }, key);
  const at = token.lastIndexOf('.');
  return [token.slice(0, at), token.slice(at + 1)] as const;
}

describe('verifySignature', () => {
  it.each(Object.keys(keys) as SignatureAlgorithm[])('accepts a %s signature', (alg) => {
    expect(verifySignature(alg, keys[alg].publicKey, ...parts(alg))).toBe(true);
  });

  it.each(Object.keys(keys) as SignatureAlgorithm[])(
    'refuses a %s signature of other content',
    (alg) => {
      const [input, signature] = parts(alg);
      expect(verifySignature(alg, keys[alg].publicKey, `${input}x`, signature)).toBe(false);
    },
  );

  it('refuses an RS256 signature checked as PS256, and the reverse', () => {
    expect(verifySignature('PS256', rsa.publicKey, ...parts('RS256'))).toBe(false);
    expect(verifySignature('RS256', rsa.publicKey, ...parts('PS256'))).toBe(false);
  });

  it('refuses a key of another type or curve than the algorithm needs', () => {
    expect(verifySignature('ES384', p256.publicKey, ...parts('ES256'))).toBe(false);
    expect(verifySignature('RS256', p256.publicKey, ...parts('ES256'))).toBe(false);
    expect(verifySignature('EdDSA', rsa.publicKey, ...parts('RS256'))).toBe(false);
  });

  it('refuses, without throwing, signatures node:crypto cannot read', () => {
    const [input] = parts('ES256');
    for (const signature of ['', 'AAAA', 'x'.repeat(1000)]) {
      expect(verifySignature('ES256', p256.publicKey, input, signature)).toBe(false);
      expect(verifySignature('RS256', rsa.publicKey, input, signature)).toBe(false);
    }
  });
});
