import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { DEFAULT_SERVER_LIMITS, LimitedFastifyAdapter } from '../src/server/index.js';
import { AppModule } from '../src/app.module.js';
import { JwtStrategy, type AuthOptions } from '../src/auth/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get, type Reply } from './support/http.js';
import { probeHost, startProbeApp } from './support/probe-host.js';
import { rawConnection, within } from './support/raw-http.js';
import { REDIS_INSTALL, redisServerBinary, TestRedis } from './support/redis.js';
import { makeKey, TestIssuer } from './support/test-issuer.js';

const LIMIT = 5;
const throttle = (extra: object = {}): Partial<AuthOptions> => ({
  failureThrottle: { limit: LIMIT, windowSec: 60, ...extra },
});

/** A 429 `too_many_attempts` with `Retry-After` and the JSON body every auth failure has. */
function expectThrottled(reply: Reply): void {
  expect(reply.status).toBe(429);
  expect(reply.body).toEqual({
    statusCode: 429,
    error: 'too_many_attempts',
    error_description: 'too many failed authentication attempts from this client; retry later',
  });
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(reply.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.text).not.toMatch(/eyJ/);
}

describe('failed-authentication throttling (AuthModule option)', () => {
  let issuer: TestIssuer;
  let running: RunningApp | undefined;
  let verifications: ReturnType<typeof jest.spyOn>;
  const stranger = makeKey();

  beforeAll(async () => {
    issuer = await new TestIssuer().start();
  });

  beforeEach(() => {
    // Counts signature checks: passport-jwt runs once per token that is not answered before it.
    verifications = jest.spyOn(JwtStrategy.prototype, 'run');
  });

  afterEach(async () => {
    verifications.mockRestore();
    await running?.app.close();
    running = undefined;
  });

  afterAll(async () => {
    await issuer.stop();
  });

  const probe = (token: string) => get(running!.url, 'probe', `Bearer ${token}`);
  const forged = () => issuer.token({ key: stranger, header: { kid: issuer.keys[0]!.kid } });

  it(`answers 429 with Retry-After after ${LIMIT} invalid tokens, before any signature check`, async () => {
    running = await startProbeApp(issuer, throttle());
    for (let i = 0; i < LIMIT; i += 1) {
      const reply = await probe(forged());
      expect(reply.status).toBe(401);
      expect(reply.challenge).toMatch(/error="invalid_token"/);
    }
    expect(verifications).toHaveBeenCalledTimes(LIMIT);
    const throttled = await probe(forged());
    expectThrottled(throttled);
    expect(throttled.challenge).toBeNull();
    // A valid token the server has not verified yet waits too: nothing of it is checked.
    expectThrottled(await probe(issuer.token({ claims: { sub: 'new' } })));
    expect(verifications).toHaveBeenCalledTimes(LIMIT);
  });

  it("closes a throttled client's keep-alive connection after the 429, and answers nothing it pipelined after", async () => {
    running = await startProbeApp(issuer, throttle());
    for (let i = 0; i < LIMIT; i += 1) expect((await probe(forged())).status).toBe(401);
    const request = `GET /probe HTTP/1.1\r\nHost: probe\r\nAuthorization: Bearer ${forged()}\r\n\r\n`;
    const connection = rawConnection(running.url, request.repeat(3));
    expect(await within(connection.closed, 5_000)).toEqual(expect.any(Number));
    expect(connection.statuses()).toEqual([429]);
    expect(connection.received()).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('still serves a token this instance verified before to a throttled client', async () => {
    running = await startProbeApp(issuer, throttle());
    const known = issuer.token();
    expect((await probe(known)).status).toBe(200);
    for (let i = 0; i < LIMIT; i += 1) expect((await probe(forged())).status).toBe(401);
    expectThrottled(await probe(forged()));
    expect((await probe(known)).status).toBe(200);
  });

  it('never counts successes, requests without a token, or malformed headers', async () => {
    running = await startProbeApp(issuer, throttle());
    for (let i = 0; i < LIMIT * 4; i += 1) {
      expect((await probe(issuer.token({ claims: { sub: `user-${i}` } }))).status).toBe(200);
      expect((await get(running.url, 'probe')).status).toBe(401);
      expect((await get(running.url, 'probe', 'Bearer a b')).status).toBe(401);
    }
    for (let i = 0; i < LIMIT - 1; i += 1) expect((await probe(forged())).status).toBe(401);
    expect((await probe(issuer.token({ claims: { sub: 'still-fine' } }))).status).toBe(200);
  });

  it('is off by default for a service that imports AuthModule, and with limit 0', async () => {
    for (const options of [{}, throttle({ limit: 0 })]) {
      running = await startProbeApp(issuer, options);
      for (let i = 0; i < LIMIT * 4; i += 1) expect((await probe(forged())).status).toBe(401);
      await running.app.close();
      running = undefined;
    }
  });

  it('never takes the client address from X-Forwarded-For unless a proxy is trusted', async () => {
    running = await startProbeApp(issuer, throttle());
    for (let i = 0; i < LIMIT; i += 1) {
      const reply = await fetch(new URL('probe', running.url), {
        headers: { authorization: `Bearer ${forged()}`, 'x-forwarded-for': `203.0.113.${i}` },
      });
      expect(reply.status).toBe(401);
    }
    const spoofed = await fetch(new URL('probe', running.url), {
      headers: { authorization: `Bearer ${forged()}`, 'x-forwarded-for': '203.0.113.200' },
    });
    expect(spoofed.status).toBe(429);
  });

  it('counts each client behind a trusted proxy by its forwarded address', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [probeHost({ issuerUrl: issuer.url, audience: issuer.audience, ...throttle() })],
    }).compile();
    const app = moduleRef.createNestApplication(
      new LimitedFastifyAdapter(DEFAULT_SERVER_LIMITS, { trustProxy: ['127.0.0.1'] }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    running = { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/` };
    const from = (address: string) =>
      fetch(new URL('probe', running!.url), {
        headers: { authorization: `Bearer ${forged()}`, 'x-forwarded-for': address },
      }).then((reply) => reply.status);
    for (let i = 0; i < LIMIT; i += 1) expect(await from('203.0.113.7')).toBe(401);
    expect(await from('203.0.113.7')).toBe(429);
    expect(await from('203.0.113.8')).toBe(401);
  });
});

describe.each(ADAPTERS)(
  'failed-authentication throttling in the app on %s (AUTH_FAILURE_*)',
  (adapter) => {
    const issuer = new TestIssuer('https://quickstarts/api');
    let running: RunningApp;

    beforeAll(async () => {
      await issuer.start();
      process.env['AUTH_ISSUER_URL'] = issuer.url;
      process.env['AUTH_AUDIENCE'] = issuer.audience;
      process.env['AUTH_FAILURE_LIMIT'] = String(LIMIT);
      process.env['AUTH_FAILURE_WINDOW_SEC'] = '60';
      running = await startApp(AppModule.forRoot(), adapter);
    });

    afterAll(async () => {
      await running?.app.close();
      await issuer.stop();
      delete process.env['AUTH_FAILURE_LIMIT'];
      delete process.env['AUTH_FAILURE_WINDOW_SEC'];
    });

    it('answers 429 once a client has sent AUTH_FAILURE_LIMIT expired tokens, and counts it in metrics', async () => {
      const expired = () => `Bearer ${issuer.token({ claims: { exp: 1 } })}`;
      for (let i = 0; i < LIMIT; i += 1) {
        expect((await get(running.url, 'api/private', expired())).status).toBe(401);
      }
      expectThrottled(await get(running.url, 'api/private', expired()));
      expectThrottled(await get(running.url, 'api/private-scoped', `Bearer ${issuer.token()}`));
      expect((await get(running.url, 'api/public')).status).toBe(200);
      const metrics = await get(running.url, 'metrics');
      expect(metrics.text).toMatch(
        /^auth_requests_total\{result="too_many_attempts",reason=""\} 2$/m,
      );
    });
  },
);

const redisBin = redisServerBinary();
if (redisBin === undefined) {
  process.stderr.write(
    `\n*** SKIPPING the shared-count tests of test/failure-throttle.e2e-spec.ts: no redis-server found and it could not be installed. Install it with: ${REDIS_INSTALL} ***\n\n`,
  );
}

(redisBin === undefined ? describe.skip : describe)(
  'failed-authentication counts shared through a real redis-server',
  () => {
    let issuer: TestIssuer;
    let redis: TestRedis;
    let first: RunningApp;
    let second: RunningApp;

    beforeAll(async () => {
      issuer = await new TestIssuer().start();
      redis = await new TestRedis(redisBin!).start();
      const options = throttle({ redisUrl: redis.url });
      first = await startProbeApp(issuer, options);
      second = await startProbeApp(issuer, options);
    });

    afterAll(async () => {
      await first?.app.close();
      await second?.app.close();
      await redis?.stop();
      await issuer?.stop();
    });

    const forged = () =>
      `Bearer ${issuer.token({ key: makeKey(), header: { kid: issuer.keys[0]!.kid } })}`;

    it('answers 429 on both instances once the failures on both reach the limit', async () => {
      for (let i = 0; i < LIMIT; i += 1) {
        const app = i % 2 === 0 ? first : second;
        expect((await get(app.url, 'probe', forged())).status).toBe(401);
      }
      expectThrottled(await get(first.url, 'probe', forged()));
      expectThrottled(await get(second.url, 'probe', forged()));
    });

    it('lets requests through, never 500 and never hanging, while redis is down', async () => {
      await redis.stop();
      // A new instance: it has not seen this client blocked, so it must ask the store.
      const third = await startProbeApp(issuer, throttle({ redisUrl: redis.url }));
      try {
        const started = Date.now();
        const fresh = `Bearer ${issuer.token({ claims: { sub: 'fresh' } })}`;
        expect((await get(third.url, 'probe', fresh)).status).toBe(200);
        expect((await get(third.url, 'probe', forged())).status).toBe(401);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await third.app.close();
        await redis.start();
      }
    });
  },
);
