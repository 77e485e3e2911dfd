import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  KEY_PROVIDER,
  type AuthOptions,
  type Principal,
  type TrustedIssuers,
} from '../src/auth/index.js';
import { HealthModule } from '../src/health/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { freePort, get } from './support/http.js';
import { expectInvalidToken } from './support/expect-auth.js';
import { startMain, type AppProcess } from './support/process.js';
import { makeKey, TestIssuer } from './support/test-issuer.js';

@Controller('host')
@UseGuards(JwtAuthGuard)
class HostController {
  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }
}

function hostModule(options: AuthOptions, health = false): DynamicModule {
  @Module({
    imports: [
      AuthModule.forRoot({ isGlobal: true, ...options }),
      ...(health ? [HealthModule.forRoot()] : []),
    ],
    controllers: [HostController],
  })
  class HostModule {}
  return { module: HostModule };
}

const bearer = (token: string) => `Bearer ${token}`;

describe.each(ADAPTERS)('two trusted issuers with separate keys on %s', (adapter) => {
  const a = new TestIssuer('https://api.a.example/');
  const b = new TestIssuer('https://api.b.example/');
  /** Not on the list: any request it receives is a fetch the API should never have made. */
  const untrusted = new TestIssuer('https://api.a.example/');
  let running: RunningApp;
  const hits = () => ({ a: { ...a.hits }, b: { ...b.hits }, untrusted: { ...untrusted.hits } });

  beforeAll(async () => {
    await Promise.all([a.start(), b.start(), untrusted.start()]);
    // B also publishes a key under A's kid (different key material): a kid names a key within one
    // issuer's key set only.
    b.keys.push(makeKey(a.keys[0]!.kid));
    // A second key of A that B does not have.
    a.keys.push(makeKey());
    running = await startApp(
      hostModule({
        issuers: [
          { issuerUrl: a.url, audience: a.audience },
          { issuerUrl: b.url, audience: b.audience, jwksUri: b.jwksUri },
        ],
        jwksWarmUp: false,
      }),
      adapter,
    );
  });

  afterAll(async () => {
    await running?.app.close();
    await Promise.all([a.stop(), b.stop(), untrusted.stop()]);
  });

  it("accepts each issuer's tokens, each verified with that issuer's keys", async () => {
    for (const issuer of [a, b]) {
      const reply = await get(running.url, 'host/me', bearer(issuer.token()));
      expect(reply.status).toBe(200);
      expect((reply.body as Principal).claims).toMatchObject({
        iss: issuer.url,
        aud: issuer.audience,
      });
    }
    expect(a.hits.jwks).toBe(1);
    expect(b.hits).toEqual({ discovery: 0, jwks: 1 });
  });

  it("refuses a token signed by issuer A's key that claims issuer B (B's key set decides)", async () => {
    // A's key set is loaded (anyone can make it so with one valid token of A).
    expect((await get(running.url, 'host/me', bearer(a.token()))).status).toBe(200);
    // A's first key: B publishes a different key under the same kid, so the signature fails.
    const sameKid = a.token({ claims: { iss: b.url, aud: b.audience } });
    expectInvalidToken(
      await get(running.url, 'host/me', bearer(sameKid)),
      /signature verification failed/,
    );
    // A's second key: B has no such kid.
    const otherKid = a.token({ key: a.keys[1], claims: { iss: b.url, aud: b.audience } });
    expectInvalidToken(
      await get(running.url, 'host/me', bearer(otherKid)),
      /signing key not found/,
    );
    // The same key with A's own iss is fine: the keys are not broken, the issuer is.
    expect((await get(running.url, 'host/me', bearer(a.token({ key: a.keys[1] })))).status).toBe(
      200,
    );
  });

  it('refuses an iss that is not on the list before fetching anything, anywhere', async () => {
    const before = hits();
    for (const iss of [untrusted.url, `${a.url}evil/`, a.url.toUpperCase(), '', 42]) {
      const token = untrusted.token({ claims: { iss, aud: a.audience } });
      expectInvalidToken(await get(running.url, 'host/me', bearer(token)), /issuer not accepted/);
    }
    expect(hits()).toEqual(before);
    expect(untrusted.hits).toEqual({ discovery: 0, jwks: 0 });
  });

  it("checks the audience per issuer: B's audience in A's token is refused, and the reverse", async () => {
    expectInvalidToken(
      await get(running.url, 'host/me', bearer(a.token({ claims: { aud: b.audience } }))),
      /audience not accepted/,
    );
    expectInvalidToken(
      await get(running.url, 'host/me', bearer(b.token({ claims: { aud: a.audience } }))),
      /audience not accepted/,
    );
  });
});

describe("one issuer's outage leaves the other's tokens working", () => {
  const a = new TestIssuer('https://api.a.example/');
  const b = new TestIssuer('https://api.b.example/');
  let running: RunningApp;

  beforeAll(async () => {
    await Promise.all([a.start(), b.start()]);
    a.jwks = 'http-500';
    running = await startApp(
      hostModule(
        {
          issuers: [
            { issuerUrl: a.url, audience: a.audience },
            { issuerUrl: b.url, audience: b.audience },
          ],
          jwksWarmUp: false,
          keySetPolicy: { refreshRetryMs: 600_000 },
        },
        true,
      ),
      'fastify',
    );
  });

  afterAll(async () => {
    await running?.app.close();
    await Promise.all([a.stop(), b.stop()]);
  });

  it("answers 503 for A's tokens while A's JWKS fails, and 200 for B's", async () => {
    const fromA = await get(running.url, 'host/me', bearer(a.token()));
    const fromB = await get(running.url, 'host/me', bearer(b.token()));
    const againB = await get(running.url, 'host/me', bearer(b.token({ claims: { sub: 'other' } })));
    process.stderr.write(
      `two-issuer outage: A's JWKS answers 500 -> A's token ${fromA.status} (Retry-After ${fromA.headers.get('retry-after')}); ` +
        `B's tokens ${fromB.status}, ${againB.status}; A JWKS hits ${a.hits.jwks}, B JWKS hits ${b.hits.jwks}\n`,
    );
    expect(fromA.status).toBe(503);
    expect(fromA.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(fromB.status).toBe(200);
    expect(againB.status).toBe(200);

    const keys = running.app.get<TrustedIssuers>(KEY_PROVIDER);
    expect(keys.statuses().map(({ issuer, usable }) => [issuer, usable])).toEqual([
      [a.url, false],
      [b.url, true],
    ]);
    // Readiness stays up (B's tokens are served) and names the failing issuer.
    const ready = await get(running.url, 'health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      info: {
        signing_keys: {
          status: 'up',
          issuers: {
            [a.url]: { usable: false, keys: 0, error: expect.stringMatching(/500/) },
            [b.url]: { usable: true, keys: 1 },
          },
        },
      },
    });
  });
});

describe('AuthOptions.issuers checks', () => {
  const build = (options: AuthOptions) =>
    startApp(hostModule({ jwksWarmUp: false, ...options }), 'fastify');

  it.each([
    [{ issuers: [] }, /AuthOptions\.issuers must be a non-empty array/],
    [
      {
        issuers: [{ issuerUrl: 'https://a.example/', audience: 'x' }],
        issuerUrl: 'https://a.example/',
      },
      /AuthOptions\.issuerUrl cannot be combined with issuers/,
    ],
    [
      { issuers: [{ issuerUrl: 'http://a.example/', audience: 'x' }] },
      /AuthOptions\.issuers\[0\]\.issuerUrl must use https/,
    ],
    [
      { issuers: [{ issuerUrl: 'https://a.example/', audience: [] }] },
      /AuthOptions\.issuers\[0\]\.audience/,
    ],
    [
      {
        issuers: [
          { issuerUrl: 'https://a.example/', audience: 'x' },
          { issuerUrl: 'https://a.example', audience: 'y' },
        ],
      },
      /AuthOptions\.issuers\[1\]\.issuerUrl names https:\/\/a\.example a second time/,
    ],
    [
      { issuers: [{ issuerUrl: 'https://a.example/', audience: 'x', algorithms: ['HS256'] }] },
      /AuthOptions\.issuers\[0\]\.algorithms contains "HS256"/,
    ],
  ])('refuses %j at start-up', async (options, message) => {
    await expect(build(options as AuthOptions)).rejects.toThrow(message);
  });
});

describe('the app configured with AUTH_ISSUERS', () => {
  const a = new TestIssuer('https://api.example/');
  const b = new TestIssuer('https://api.example/');
  let app: AppProcess | undefined;
  let url: string;

  beforeAll(async () => {
    await Promise.all([a.start(), b.start()]);
    const port = await freePort();
    app = startMain({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_ISSUERS: 'first,second',
      AUTH_ISSUER_FIRST_URL: a.url,
      AUTH_ISSUER_FIRST_AUDIENCE: a.audience,
      AUTH_ISSUER_SECOND_URL: b.url,
      AUTH_ISSUER_SECOND_AUDIENCE: b.audience,
      AUTH_ISSUER_SECOND_JWKS_URI: b.jwksUri,
    });
    url = `http://127.0.0.1:${port}/`;
    // A whole production process starting (its embedded database too): slow on a loaded machine.
    await app.waitFor(/Listening on/, 55_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([a.stop(), b.stop()]);
  });

  it("answers both issuers' tokens on /api/private and refuses an unlisted iss", async () => {
    expect((await get(url, 'api/private', bearer(a.token()))).status).toBe(200);
    expect((await get(url, 'api/private', bearer(b.token()))).status).toBe(200);
    expectInvalidToken(
      await get(
        url,
        'api/private',
        bearer(a.token({ claims: { iss: 'https://elsewhere.example/' } })),
      ),
      /issuer not accepted/,
    );
  });
});
