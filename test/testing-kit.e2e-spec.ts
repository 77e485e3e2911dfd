import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import {
  AUTH_OPTIONS,
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type Principal,
} from '../src/auth/index.js';
import { TestIssuer } from '../src/auth/testing/index.js';
import { get } from './support/http.js';
import { startApp, type RunningApp } from './support/app.js';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

const AUDIENCE = 'https://orders.example/api';

@Controller('orders')
@UseGuards(JwtAuthGuard, ScopesGuard)
class OrdersController {
  @Get()
  @Scopes('orders:read')
  list(@CurrentUser() user: Principal) {
    return { for: user.sub, claims: user.claims };
  }
}

/** A service's app module as it ships: its production issuer, read from its own config. */
@Module({
  imports: [
    AuthModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({ issuerUrl: 'https://tenant.example/', audience: AUDIENCE }),
    }),
  ],
  controllers: [OrdersController],
})
class ShippedAppModule {}

function decode(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, claims };
}

describe('testing kit: TestIssuer tokens', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: AUDIENCE, subject: 'default-user' });
  });
  afterAll(() => issuer.stop());

  it('mints sub, scope, aud, exp and any claim, with undefined removing a default', () => {
    const before = Math.floor(Date.now() / 1000);
    const { header, claims } = decode(
      issuer.token({
        sub: 'alice',
        scopes: ['orders:read', 'orders:write'],
        audience: ['a', 'b'],
        expiresInSec: 60,
        claims: { org_id: 'acme', iat: undefined },
      }),
    );
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: issuer.keys[0]!.kid });
    expect(claims).toMatchObject({
      iss: issuer.url,
      sub: 'alice',
      aud: ['a', 'b'],
      scope: 'orders:read orders:write',
      org_id: 'acme',
    });
    expect(claims).not.toHaveProperty('iat');
    expect(Number(claims['exp']) - before).toBeGreaterThanOrEqual(59);
    expect(Number(claims['exp']) - before).toBeLessThanOrEqual(61);
  });

  it('defaults to the issuer audience and subject, no scope, five minutes', () => {
    const { claims } = decode(issuer.token());
    expect(claims).toMatchObject({ aud: AUDIENCE, sub: 'default-user' });
    expect(claims).not.toHaveProperty('scope');
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(300);
  });

  it('serves discovery and a JWKS holding its current public key', async () => {
    const discovery = await get(issuer.url, '.well-known/openid-configuration');
    expect(discovery.body).toEqual({ issuer: issuer.url, jwks_uri: issuer.jwksUri });
    const jwks = (await get(issuer.url, '.well-known/jwks.json')).body as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([issuer.keys[0]!.kid]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('makes new keys for each issuer', () => {
    const other = new TestIssuer();
    expect(other.keys[0]!.kid).not.toBe(issuer.keys[0]!.kid);
    expect(other.keys[0]!.publicKey.equals(issuer.keys[0]!.publicKey)).toBe(false);
  });
});

describe.each([
  [
    'AuthModule.forRoot({ ...issuer.authOptions() })',
    (issuer: TestIssuer): Promise<RunningApp> => {
      @Module({
        imports: [
          AuthModule.forRoot({ isGlobal: true, ...issuer.authOptions({ realm: 'orders' }) }),
        ],
        controllers: [OrdersController],
      })
      class TestAppModule {}
      return startApp(TestAppModule, 'fastify');
    },
  ],
  [
    'overrideProvider(AUTH_OPTIONS) on the shipped app module',
    async (issuer: TestIssuer): Promise<RunningApp> => {
      const moduleRef = await Test.createTestingModule({ imports: [ShippedAppModule] })
        .overrideProvider(AUTH_OPTIONS)
        .useValue(issuer.authOptions({ realm: 'orders' }))
        .compile();
      const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      return { app, url: `${await app.getUrl()}/` };
    },
  ],
] as const)('testing kit wired with %s', (_name, start) => {
  let issuer: TestIssuer;
  let running: RunningApp;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: AUDIENCE });
    running = await start(issuer);
  });
  afterAll(async () => {
    await running?.app.close();
    await issuer?.stop();
  });
  const call = (token?: string) =>
    get(running.url, 'orders', token === undefined ? undefined : `Bearer ${token}`);

  it('answers 200 to a kit token granting the scope, with the claims it was given', async () => {
    const reply = await call(
      issuer.token({ sub: 'alice', scopes: ['orders:read'], claims: { org_id: 'acme' } }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ for: 'alice', claims: { org_id: 'acme' } });
  });

  it('answers 403 insufficient_scope without it, in the realm the options kept', async () => {
    const reply = await call(issuer.token({ scopes: ['orders:write'] }));
    expect(reply.status).toBe(403);
    expect(reply.challenge).toMatch(/^Bearer realm="orders", error="insufficient_scope"/);
  });

  it.each([
    ['expired', (i: TestIssuer) => i.expiredToken({ scopes: ['orders:read'] })],
    ['wrongly signed', (i: TestIssuer) => i.wronglySignedToken({ scopes: ['orders:read'] })],
    [
      'for another audience',
      (i: TestIssuer) => i.token({ audience: 'https://other/', scopes: ['orders:read'] }),
    ],
    [
      'signed by the keys of another run',
      (i: TestIssuer) => {
        const other = new TestIssuer({ audience: AUDIENCE });
        other.url = i.url;
        return other.token({ scopes: ['orders:read'] });
      },
    ],
  ])('answers 401 invalid_token to a token %s', async (_case, mint) => {
    const reply = await call(mint(issuer));
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/^Bearer realm="orders", error="invalid_token"/);
    expect(reply.body).toMatchObject({ error: 'invalid_token' });
  });
});
