import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  verify,
} from 'node:crypto';
import { AppModule } from '../src/app.module.js';
import type { AuthOptions } from '../src/auth/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { expectInvalidToken } from './support/expect-auth.js';
import { get, type Reply } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { TestIssuer, type TestKey } from './support/test-issuer.js';
import { b64url } from './support/tokens.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 8017 §9.2 note 1: the DER prefix of a SHA-256 DigestInfo. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** A random odd number of exactly `bits` bits, base64url: the `n` of a key nobody can sign with. */
function randomModulus(bits: number): string {
  const n = randomBytes(bits / 8);
  n[0]! |= 0x80;
  n[n.length - 1]! |= 1;
  return n.toString('base64url');
}

/**
 * A token whose "signature" is only the EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2) of its own
 * SHA-256: 00 01 FF..FF 00 DigestInfo, 256 bytes. With e = 1, s^e mod n is s itself, so it
 * verifies under any 2048-bit modulus, without a private key.
 */
function forgedToken(issuer: TestIssuer, kid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const claims = { iss: issuer.url, aud: issuer.audience, sub: 'forger', iat: now, exp: now + 300 };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const digestInfo = Buffer.concat([
    SHA256_DIGEST_INFO,
    createHash('sha256').update(input).digest(),
  ]);
  const encoded = Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.alloc(256 - digestInfo.length - 3, 0xff),
    Buffer.from([0x00]),
    digestInfo,
  ]);
  return `${input}.${encoded.toString('base64url')}`;
}

/** An RSA signing key with the given public exponent (a real key pair: its tokens verify). */
function rsaKeyWithExponent(kid: string, publicExponent: number, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent });
  return { kid, privateKey, publicKey, jwkExtras: { alg: 'RS256', use: 'sig' } };
}

/** A P-256 signing key for ES256. */
function ecKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicKey, jwkExtras: { alg: 'ES256', use: 'sig' } };
}

/** The 401 a token naming a refused key gets: the same as for a kid the issuer does not publish. */
function expectRefusedKey(reply: Reply): void {
  expectInvalidToken(reply, /signing key not found: unknown key id \(kid\)/);
  expect(reply.body).toEqual({
    statusCode: 401,
    error: 'invalid_token',
    error_description: 'signing key not found: unknown key id (kid)',
  });
}

describe('an RSA key with public exponent 1 (the app, GET /api/private)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  const e1 = { kty: 'RSA', kid: 'e1', use: 'sig', alg: 'RS256', n: randomModulus(2048), e: 'AQ' };
  issuer.extraJwks = [e1];
  let running: RunningApp;
  let warnings: string[];

  beforeAll(async () => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    running = await startApp(AppModule.forRoot(), 'fastify');
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await running?.app.close();
    await issuer.stop();
    delete process.env['AUTH_ISSUER_URL'];
    delete process.env['AUTH_AUDIENCE'];
  });

  it('refuses a token whose signature is only the PKCS#1 v1.5 padding of its hash', async () => {
    const token = forgedToken(issuer, 'e1');
    // The forgery is real: node:crypto itself accepts it under the published key.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const key = createPublicKey({ key: e1, format: 'jwk' });
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        key,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      expectRefusedKey(await get(running.url, 'api/private', `Bearer ${token}`));
    }
  });

  it("still accepts the issuer's own key from the same key set", async () => {
    const reply = await get(running.url, 'api/private', `Bearer ${issuer.token()}`);
    expect(reply.status).toBe(200);
  });

  it('logs the refused key once, with its kid and the reason', () => {
    expect(warnings.filter((w) => w.includes('"e1"'))).toEqual([
      expect.stringMatching(/kid "e1": RSA public exponent 1 refused \(must be 65537\)/),
    ]);
  });
});

describe('key strength checks at import (host app, GET /probe)', () => {
  let issuer: TestIssuer;
  let running: RunningApp | undefined;
  let warnings: string[];

  beforeEach(async () => {
    issuer = await new TestIssuer().start();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await running?.app.close();
    running = undefined;
    await issuer.stop();
  });

  /** Starts the host app; fetches may be 100 ms apart, so that made-up kids fetch the set again. */
  const start = async (options: Partial<AuthOptions> = {}) => {
    running = await startProbeApp(issuer, {
      ...options,
      keySetPolicy: { minFetchIntervalMs: 100, ...options.keySetPolicy },
    });
  };
  const probe = (token = issuer.token()) => get(running!.url, 'probe', `Bearer ${token}`);
  /** Makes the provider fetch the key set again, `times` times (each a made-up kid after the spacing). */
  const refetch = async (times: number) => {
    for (let i = 0; i < times; i += 1) {
      await sleep(150);
      await probe(issuer.token({ header: { kid: randomUUID() } }));
    }
  };
  const linesNaming = (kid: string) => warnings.filter((w) => w.includes(`"${kid}"`));

  it('refuses an RSA key with public exponent 3 whose signatures are genuine, and logs it once', async () => {
    const e3 = rsaKeyWithExponent('e3', 3);
    issuer.keys.push(e3);
    await start();
    expectRefusedKey(await probe(issuer.token({ key: e3 })));
    expect((await probe()).status).toBe(200);
    await refetch(2);
    expectRefusedKey(await probe(issuer.token({ key: e3 })));
    expect(issuer.hits.jwks).toBeGreaterThanOrEqual(3);
    expect(linesNaming('e3')).toEqual([
      expect.stringMatching(/kid "e3": RSA public exponent 3 refused \(must be 65537\)/),
    ]);
  });

  it('refuses a 16,384-bit modulus before it is used, and keeps the good key', async () => {
    issuer.extraJwks = [
      { kty: 'RSA', kid: 'rsa-16k', use: 'sig', n: randomModulus(16_384), e: 'AQAB' },
    ];
    await start();
    expectRefusedKey(await probe(issuer.token({ header: { kid: 'rsa-16k' } })));
    expect((await probe()).status).toBe(200);
    expect(linesNaming('rsa-16k')).toEqual([
      expect.stringMatching(
        /kid "rsa-16k": RSA modulus of 16384 bits refused \(at most 8192: keySetPolicy\.maxRsaBits\)/,
      ),
    ]);
  });

  it('takes the largest modulus from keySetPolicy.maxRsaBits', async () => {
    const rsa3072 = rsaKeyWithExponent('rsa-3072', 65537, 3072);
    issuer.keys.push(rsa3072);
    await start({ keySetPolicy: { maxRsaBits: 2048 } });
    expectRefusedKey(await probe(issuer.token({ key: rsa3072 })));
    expect((await probe()).status).toBe(200);
    expect(linesNaming('rsa-3072')).toEqual([
      expect.stringMatching(/kid "rsa-3072": RSA modulus of 3072 bits refused \(at most 2048/),
    ]);
  });

  it.each([
    ["'65537' (the default)", 401, undefined],
    ["'fips-186-5'", 200, 'fips-186-5'],
  ] as const)(
    'under rsaPublicExponents %s answers %i to exponent 65539, and 401 to exponent 3',
    async (_what, status, rsaPublicExponents) => {
      const odd = rsaKeyWithExponent('e65539', 65539);
      const e3 = rsaKeyWithExponent('e3', 3);
      issuer.keys.push(odd, e3);
      await start({ keySetPolicy: { rsaPublicExponents } });
      const reply = await probe(issuer.token({ key: odd }));
      if (status === 401) expectRefusedKey(reply);
      else expect(reply.status).toBe(200);
      expectRefusedKey(await probe(issuer.token({ key: e3 })));
      expect((await probe()).status).toBe(200);
      expect(linesNaming('e3')).toEqual([
        expect.stringMatching(/kid "e3": RSA public exponent 3 refused/),
      ]);
      expect(linesNaming('e65539')).toHaveLength(status === 401 ? 1 : 0);
    },
  );

  it('refuses an EC key whose point is not on its curve, and keeps the valid EC key', async () => {
    const good = ecKey('ec-good');
    const jwk = good.publicKey.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y!, 'base64url');
    y[y.length - 1]! ^= 1; // (x, y') with y' != ±y: off the curve
    issuer.keys.push(good);
    issuer.extraJwks = [{ ...jwk, y: y.toString('base64url'), kid: 'ec-off', alg: 'ES256' }];
    await start({ algorithms: ['RS256', 'ES256'] });
    expect((await probe(issuer.token({ key: good, header: { alg: 'ES256' } }))).status).toBe(200);
    const offCurve = issuer.token({ key: good, header: { alg: 'ES256', kid: 'ec-off' } });
    expectRefusedKey(await probe(offCurve));
    await refetch(2);
    expectRefusedKey(await probe(offCurve));
    expect(linesNaming('ec-off')).toEqual([
      expect.stringMatching(/kid "ec-off": EC public key refused \(not a point on P-256\)/),
    ]);
  });

  it('answers 503 when every published key is refused', async () => {
    issuer.keys = [];
    issuer.extraJwks = [
      { kty: 'RSA', kid: 'e1', use: 'sig', n: randomModulus(2048), e: 'AQ' },
      { kty: 'RSA', kid: 'rsa-16k', use: 'sig', n: randomModulus(16_384), e: 'AQAB' },
    ];
    await start({ jwksWarmUp: false });
    const reply = await probe(forgedToken(issuer, 'e1'));
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(reply.challenge).toBeNull();
    expect(warnings.filter((w) => /"e1"|"rsa-16k"/.test(w))).toEqual([
      expect.stringMatching(/kid "e1": RSA public exponent 1 refused.*kid "rsa-16k": RSA modulus/),
    ]);
  });
});
