import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module.js';
import type { AuthOptions } from '../src/auth/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { ForwardProxy } from './support/forward-proxy.js';
import { freePort, get, type Reply } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { makeKey, TestIssuer } from './support/test-issuer.js';

/** The default least time between two JWKS fetches, plus a margin. */
const FETCH_SPACING_MS = 6_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectUnavailable(reply: Reply): void {
  expect(reply.status).toBe(503);
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(reply.challenge).toBeNull();
  expect(reply.body).toEqual({
    statusCode: 503,
    error: 'temporarily_unavailable',
    error_description: "the identity provider's signing keys are unavailable; retry later",
  });
}

function expectUnknownKid(reply: Reply): void {
  expect(reply.status).toBe(401);
  expect(reply.challenge).toMatch(
    /error="invalid_token", error_description="signing key not found/,
  );
  expect(reply.body).toMatchObject({
    error: 'invalid_token',
    error_description: expect.stringMatching(/unknown key id/),
  });
}

describe('key provider under a misbehaving issuer', () => {
  let issuer: TestIssuer;
  let running: RunningApp | undefined;

  beforeEach(async () => {
    issuer = await new TestIssuer().start();
  });

  afterEach(async () => {
    await running?.app.close();
    running = undefined;
    await issuer.stop();
  });

  /** Starts a host app; warm-up is off unless asked for, so each test controls the first fetch. */
  const start = async (options: Partial<AuthOptions> = {}) => {
    running = await startProbeApp(issuer, { jwksWarmUp: false, ...options });
  };
  const probe = (token = issuer.token()) => get(running!.url, 'probe', `Bearer ${token}`);

  describe('a cold cache', () => {
    it.each([
      ['answers 500', 'http-500'],
      ['sends invalid JSON', 'bad-json'],
      ['sends more than 1 MiB', 'huge'],
    ] as const)('answers 503 with Retry-After when the JWKS %s', async (_what, behaviour) => {
      issuer.jwks = behaviour;
      await start();
      expectUnavailable(await probe());
      expect((await get(running!.url, 'open')).status).toBe(200);
    });

    it('answers 503 when the JWKS refuses connections', async () => {
      await start({ jwksUri: `http://127.0.0.1:${await freePort()}/jwks.json` });
      expectUnavailable(await probe());
    });

    it('answers 503 within 10 s when the JWKS hangs', async () => {
      issuer.jwks = 'hang';
      await start();
      const started = Date.now();
      expectUnavailable(await probe());
      expect(Date.now() - started).toBeLessThan(10_000);
    }, 15_000);

    it('shares one fetch among 50 concurrent cold requests: discovery + JWKS = 2 fetches', async () => {
      await start();
      const replies = await Promise.all(Array.from({ length: 50 }, () => probe()));
      expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    });
  });

  describe('the key set', () => {
    it('answers 401 for a kid the key set does not hold, and remembers it', async () => {
      // Fetch spacing shortened, so that only the unknown-kid memory can keep repeats from fetching;
      // the JWKS URI configured, since repeats would otherwise read discovery again (discovery spec).
      await start({ jwksUri: issuer.jwksUri, keySetPolicy: { minFetchIntervalMs: 100 } });
      expect((await probe()).status).toBe(200);
      await sleep(150);
      for (let i = 0; i < 5; i += 1) {
        expectUnknownKid(await probe(issuer.token({ header: { kid: 'never-published' } })));
        await sleep(150);
      }
      expect(issuer.hits.jwks).toBe(2); // the first sight of the kid fetched once; repeats did not
    });

    it('does not hold against a new kid the 401s it got while the fetch spacing refused to fetch', async () => {
      await start();
      expect((await probe()).status).toBe(200);
      const fresh = issuer.rotate();
      const early = await probe(issuer.token({ key: fresh })); // within 6 s of the last fetch: no fetch
      expectUnknownKid(early);
      await sleep(FETCH_SPACING_MS);
      expect((await probe(issuer.token({ key: fresh }))).status).toBe(200);
    }, 20_000);

    it('skips malformed and non-signing keys without losing the good ones', async () => {
      const encryption = makeKey('enc', { alg: 'RS256', use: 'enc' });
      issuer.extraJwks = [
        { kty: 'RSA', kid: 'broken', n: '!!', e: 'AQAB' },
        { kty: 'oct', kid: 'secret', k: 'c2VjcmV0' },
        { kid: 'no-kty' },
        { ...encryption.publicKey.export({ format: 'jwk' }), kid: 'enc', use: 'enc' },
      ];
      await start();
      expect((await probe()).status).toBe(200);
      expectUnknownKid(await probe(issuer.token({ key: encryption })));
      expectUnknownKid(await probe(issuer.token({ key: { ...makeKey(), kid: 'secret' } })));
    });

    it('refuses a key whose JWK alg differs from the token alg', async () => {
      const rs384 = makeKey('rs384-only', { alg: 'RS384', use: 'sig' });
      issuer.keys.push(rs384);
      await start({ algorithms: ['RS256', 'RS384'] });
      const reply = await probe(issuer.token({ key: rs384, header: { alg: 'RS256' } }));
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ error_description: 'signing key does not fit the token' });
      expect((await probe(issuer.token({ key: rs384, header: { alg: 'RS384' } }))).status).toBe(
        200,
      );
    });

    it('follows a rotation: the new kid works once the fetch spacing has passed, the old one stops', async () => {
      await start();
      const oldToken = issuer.token();
      expect((await probe(oldToken)).status).toBe(200);
      const fresh = issuer.rotate();
      await sleep(FETCH_SPACING_MS);
      expect((await probe(issuer.token({ key: fresh }))).status).toBe(200);
      expectUnknownKid(await probe(oldToken));
      expect(issuer.hits.jwks).toBe(2);
    }, 20_000);

    it('keeps a flood of made-up kids to the fetch budget, and still takes a real rotation', async () => {
      await start();
      expect((await probe()).status).toBe(200);
      const flood = async () => {
        for (let i = 0; i < 20; i += 1)
          expectUnknownKid(await probe(issuer.token({ header: { kid: randomUUID() } })));
      };
      await flood();
      const afterFirstFlood = issuer.hits.jwks;
      expect(afterFirstFlood).toBeLessThanOrEqual(2);
      const fresh = issuer.rotate();
      await sleep(FETCH_SPACING_MS);
      await flood(); // 20 more made-up kids race the real one for the next fetch
      expect((await probe(issuer.token({ key: fresh }))).status).toBe(200);
      // 40 made-up kids and a rotation over about 7 s: well inside 10 fetches a minute.
      expect(issuer.hits.jwks).toBeLessThanOrEqual(3);
    }, 20_000);

    it('honours Cache-Control max-age within its bounds and refreshes in the background before expiry', async () => {
      issuer.jwksCacheControl = 'public, max-age=1';
      await start({ keySetPolicy: { minMaxAgeMs: 1_000, minFetchIntervalMs: 500 } });
      expect((await probe()).status).toBe(200);
      expect(issuer.hits.jwks).toBe(1);
      await sleep(2_500); // no requests: only the background refresh can fetch
      expect(issuer.hits.jwks).toBeGreaterThanOrEqual(2);
      // A request never waits for a fetch while its key is cached: let the keys expire with the last
      // background refresh failed (nothing in flight), then make fetches hang; the request that finds
      // the keys expired starts a refresh and answers at once.
      issuer.jwks = 'http-500';
      await sleep(1_500);
      issuer.jwks = 'hang';
      const started = Date.now();
      expect((await probe()).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000); // a fetch on the request path would take 5 s
    }, 15_000);
  });

  describe('an outage after the cache is warm', () => {
    it('keeps serving cached keys, answers 503 for unknown kids, and recovers within seconds', async () => {
      await start();
      expect((await probe()).status).toBe(200);
      issuer.jwks = 'http-500';
      await sleep(FETCH_SPACING_MS);
      const newcomer = makeKey();
      expectUnavailable(await probe(issuer.token({ key: newcomer }))); // triggers a failing fetch
      expect((await probe()).status).toBe(200); // the cached kid still works
      expectUnavailable(await probe(issuer.token({ key: newcomer })));
      issuer.jwks = 'ok';
      issuer.keys.push(newcomer);
      await sleep(FETCH_SPACING_MS);
      expect((await probe(issuer.token({ key: newcomer }))).status).toBe(200);
    }, 25_000);

    it('keeps serving cached keys past their max-age while the issuer is down (stale-if-error)', async () => {
      await start({
        keySetPolicy: { minMaxAgeMs: 1_000, defaultMaxAgeMs: 1_000, minFetchIntervalMs: 200 },
      });
      expect((await probe()).status).toBe(200);
      issuer.jwks = 'hang';
      await sleep(1_500);
      expect((await probe()).status).toBe(200);
    }, 10_000);
  });

  describe('start-up', () => {
    it('warms the cache at start-up, so the first request fetches nothing', async () => {
      await start({ jwksWarmUp: true });
      for (let i = 0; i < 50 && issuer.hits.jwks === 0; i += 1) await sleep(100);
      expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
      expect((await probe()).status).toBe(200);
      expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    });

    it('starts while the issuer is down, serves open routes, and verifies tokens once it is back', async () => {
      issuer.discovery = 'http-500';
      await start({ jwksWarmUp: true });
      expect((await get(running!.url, 'open')).status).toBe(200);
      expectUnavailable(await probe());
      issuer.discovery = 'ok';
      await sleep(FETCH_SPACING_MS);
      expect((await probe()).status).toBe(200);
    }, 20_000);
  });
});

describe('outbound proxy from the standard variables', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  const proxy = new ForwardProxy();
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    await proxy.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    process.env['HTTP_PROXY'] = proxy.url;
    running = await startApp(AppModule.forRoot(), 'fastify');
  });

  afterAll(async () => {
    delete process.env['HTTP_PROXY'];
    await running?.app.close();
    await proxy.stop();
    await issuer.stop();
  });

  it('fetches discovery and the JWKS through HTTP_PROXY', async () => {
    const reply = await get(running.url, 'api/private', `Bearer ${issuer.token()}`);
    expect(reply.status).toBe(200);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(issuer.url).host]));
  });
});
