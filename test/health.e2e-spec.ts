import { Controller, Get, Global, Module, UseGuards } from '@nestjs/common';
import { AUTH_OBSERVER, AuthModule, JwtAuthGuard, type AuthObserver } from '../src/auth/index.js';
import { HealthModule } from '../src/health/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { get, type Reply } from './support/http.js';
import { TestIssuer } from './support/test-issuer.js';

@Controller()
class GuardedController {
  @Get('guarded')
  @UseGuards(JwtAuthGuard)
  guarded(): string {
    return 'ok';
  }
}

/** Polls `path` until `done` says so, for at most `timeoutMs`; returns the last reply. */
async function eventually(url: string, path: string, done: (reply: Reply) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await get(url, path);
    if (done(reply) || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the auth layer reported through `AUTH_OBSERVER`. */
const reported: { fetches: [string, number][]; lookups: boolean[] } = { fetches: [], lookups: [] };
const recorder: AuthObserver = {
  jwksFetch: (outcome, durationMs) => reported.fetches.push([outcome, durationMs]),
  cacheLookup: (hit) => reported.lookups.push(hit),
};

@Global()
@Module({ providers: [{ provide: AUTH_OBSERVER, useValue: recorder }], exports: [AUTH_OBSERVER] })
class RecorderModule {}

describe('GET /health/live and /health/ready', () => {
  const issuer = new TestIssuer();
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    issuer.jwks = 'http-500';
    @Module({
      imports: [
        AuthModule.forRoot({
          isGlobal: true,
          issuerUrl: issuer.url,
          audience: issuer.audience,
          // The background retry is kept out of the way: only the start-up warm-up and tokens fetch.
          keySetPolicy: { refreshRetryMs: 600_000, minFetchIntervalMs: 100 },
        }),
        HealthModule.forRoot(),
        RecorderModule,
      ],
      controllers: [GuardedController],
    })
    class HealthHost {}
    running = await startApp(HealthHost, 'fastify');
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  it('answers live while the process runs, whatever the issuer does', async () => {
    const live = await get(running.url, 'health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });
  });

  it('turns 503 when the JWKS is down and no key is cached, never fetches for a probe, and is 200 again after', async () => {
    // Once the start-up warm-up has failed (while it is in flight, readiness is down too).
    const down = await eventually(running.url, 'health/ready', (reply) =>
      /500/.test(JSON.stringify(reply.body)),
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { signing_keys: { status: 'down', keys: 0, ageSec: null } },
    });
    expect(
      (down.body as { error: { signing_keys: { message: string } } }).error.signing_keys.message,
    ).toMatch(/500/);

    const fetches = issuer.hits.jwks;
    for (let i = 0; i < 10; i += 1) {
      expect((await get(running.url, 'health/ready')).status).toBe(503);
    }
    expect(issuer.hits.jwks).toBe(fetches);

    issuer.jwks = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Nothing has fetched the keys since the issuer came back: the probe reports what is known.
    expect((await get(running.url, 'health/ready')).status).toBe(503);
    // A token makes the key provider fetch (its own rule); readiness follows its state.
    expect((await get(running.url, 'guarded', `Bearer ${issuer.token()}`)).status).toBe(200);
    const up = await get(running.url, 'health/ready');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      info: { signing_keys: { status: 'up', keys: 1, ageSec: 0, fresh: true } },
    });
    expect(issuer.hits.jwks).toBe(fetches + 1);
  });

  it('reports every fetch with its outcome and duration, and every cache lookup, to the AUTH_OBSERVER', async () => {
    expect(reported.fetches.map(([outcome]) => outcome)).toEqual(['error', 'ok']);
    for (const [, durationMs] of reported.fetches) {
      expect(durationMs).toBeGreaterThanOrEqual(0);
      expect(durationMs).toBeLessThan(5_000);
    }
    const token = issuer.token({ claims: { jti: 'seen-once' } });
    reported.lookups.length = 0;
    expect((await get(running.url, 'guarded', `Bearer ${token}`)).status).toBe(200);
    expect((await get(running.url, 'guarded', `Bearer ${token}`)).status).toBe(200);
    expect(reported.lookups).toEqual([false, true]);
  });
});
