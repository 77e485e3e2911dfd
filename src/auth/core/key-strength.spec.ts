import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  ecPointProblem,
  keyStrengthProblem,
  type KeyStrengthLimits,
  type RsaPublicExponents,
} from './key-strength.js';

const DEFAULTS: KeyStrengthLimits = { maxRsaBits: 8192, rsaPublicExponents: '65537' };
const FIPS: KeyStrengthLimits = { ...DEFAULTS, rsaPublicExponents: 'fips-186-5' };

function base64url(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
}

/** An RSA public key of exactly `bits` bits (a random odd n: nobody holds its private key). */
function rsa(bits: number, e = 65_537n): KeyObject {
  const n = randomBytes(bits / 8);
  n[0]! |= 0x80;
  n[n.length - 1]! |= 1;
  return createPublicKey({
    key: { kty: 'RSA', n: n.toString('base64url'), e: base64url(e) },
    format: 'jwk',
  });
}

describe('keyStrengthProblem', () => {
  it('accepts RSA keys of 2048 to 8192 bits with exponent 65537', () => {
    for (const bits of [2048, 3072, 4096, 8192]) {
      expect(keyStrengthProblem(rsa(bits), DEFAULTS)).toBeUndefined();
    }
  });

  it.each([0n, 1n, 2n, 3n, 17n, 65_535n, 65_536n, 65_538n])(
    'refuses RSA public exponent %s by default',
    (e) => {
      expect(keyStrengthProblem(rsa(2048, e), DEFAULTS)).toBe(
        `RSA public exponent ${e} refused (must be 65537)`,
      );
    },
  );

  it('names the fips-186-5 setting for an exponent it would accept', () => {
    expect(keyStrengthProblem(rsa(2048, 65_539n), DEFAULTS)).toBe(
      "RSA public exponent 65539 refused (must be 65537, or keySetPolicy.rsaPublicExponents 'fips-186-5')",
    );
  });

  it.each([65_537n, 65_539n, 2n ** 255n + 1n, 2n ** 256n - 1n])(
    'accepts odd exponent %s above 2^16 and below 2^256 under fips-186-5',
    (e) => {
      expect(keyStrengthProblem(rsa(2048, e), FIPS)).toBeUndefined();
    },
  );

  it.each([1n, 3n, 65_535n, 65_536n, 65_538n, 2n ** 256n + 1n])(
    'refuses exponent %s under fips-186-5',
    (e) => {
      expect(keyStrengthProblem(rsa(2048, e), FIPS)).toMatch(
        /^RSA public exponent .+ refused \(must be odd, above 2\^16 and below 2\^256\)$/,
      );
    },
  );

  it.each<RsaPublicExponents>(['65537', 'fips-186-5'])(
    'gives a 3072-bit exponent by its size, not its 925 digits (%s)',
    (rsaPublicExponents) => {
      const e = BigInt(`0x${randomBytes(384).toString('hex')}`) | (1n << 3071n) | 1n;
      expect(keyStrengthProblem(rsa(3072, e), { ...DEFAULTS, rsaPublicExponents })).toMatch(
        /^RSA public exponent of 3072 bits refused \(must be/,
      );
    },
  );

  it('refuses an RSA modulus below 2048 bits', () => {
    expect(keyStrengthProblem(rsa(2040), DEFAULTS)).toBe(
      'RSA modulus of 2040 bits refused (at least 2048)',
    );
    expect(keyStrengthProblem(rsa(1024), FIPS)).toBe(
      'RSA modulus of 1024 bits refused (at least 2048)',
    );
  });

  it('refuses an RSA modulus above maxRsaBits', () => {
    expect(keyStrengthProblem(rsa(8200), DEFAULTS)).toBe(
      'RSA modulus of 8200 bits refused (at most 8192: keySetPolicy.maxRsaBits)',
    );
    expect(keyStrengthProblem(rsa(16_384), DEFAULTS)).toMatch(/^RSA modulus of 16384 bits refused/);
    expect(keyStrengthProblem(rsa(16_384), { ...DEFAULTS, maxRsaBits: 16_384 })).toBeUndefined();
    expect(keyStrengthProblem(rsa(3072), { ...DEFAULTS, maxRsaBits: 2048 })).toBe(
      'RSA modulus of 3072 bits refused (at most 2048: keySetPolicy.maxRsaBits)',
    );
  });

  it('fails closed on a mistyped exponent setting or a missing modulus bound', () => {
    const mistyped = { ...DEFAULTS, rsaPublicExponents: 'FIPS' as RsaPublicExponents };
    expect(keyStrengthProblem(rsa(2048, 65_539n), mistyped)).toMatch(/must be 65537/);
    const unbounded = { rsaPublicExponents: '65537' } as KeyStrengthLimits;
    expect(keyStrengthProblem(rsa(16_384), unbounded)).toMatch(
      /^RSA modulus of 16384 bits refused/,
    );
  });

  it('checks RSA-PSS keys as RSA keys', () => {
    const { publicKey } = generateKeyPairSync('rsa-pss', {
      modulusLength: 2048,
      publicExponent: 3,
    });
    expect(keyStrengthProblem(publicKey, DEFAULTS)).toBe(
      'RSA public exponent 3 refused (must be 65537)',
    );
  });

  it.each(['P-256', 'P-384', 'P-521'])('accepts an EC key on %s', (namedCurve) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve });
    expect(keyStrengthProblem(publicKey, DEFAULTS)).toBeUndefined();
  });

  it('refuses an EC key on another curve', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(keyStrengthProblem(publicKey, DEFAULTS)).toBe(
      'EC curve secp256k1 refused (P-256, P-384 or P-521 only)',
    );
  });

  it('accepts an Ed25519 key and refuses other key types', () => {
    expect(keyStrengthProblem(generateKeyPairSync('ed25519').publicKey, DEFAULTS)).toBeUndefined();
    expect(keyStrengthProblem(generateKeyPairSync('ed448').publicKey, DEFAULTS)).toBe(
      'key type ed448 refused',
    );
    expect(keyStrengthProblem(generateKeyPairSync('x25519').publicKey, DEFAULTS)).toBe(
      'key type x25519 refused',
    );
  });
});

describe('ecPointProblem', () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    format: 'jwk',
  });

  it('finds nothing wrong with a point on its curve', () => {
    expect(ecPointProblem({ ...jwk })).toBeUndefined();
  });

  it('refuses a point off its curve', () => {
    const y = Buffer.from(jwk.y!, 'base64url');
    y[y.length - 1]! ^= 1;
    expect(ecPointProblem({ ...jwk, y: y.toString('base64url') })).toBe(
      'EC public key refused (not a point on P-256)',
    );
    expect(ecPointProblem({ ...jwk, x: jwk.y, y: jwk.x })).toBe(
      'EC public key refused (not a point on P-256)',
    );
  });

  it('leaves other key types and curves to the import', () => {
    expect(ecPointProblem({ kty: 'RSA', n: '!!', e: 'AQAB' })).toBeUndefined();
    expect(ecPointProblem({ ...jwk, crv: 'secp256k1' })).toBeUndefined();
  });
});
