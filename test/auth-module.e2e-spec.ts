import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
// The host app sees only the public API, as another Nest service would.
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthOptions,
  type Principal,
} from '../src/auth/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { TestIssuer } from './support/test-issuer.js';

@Controller('host')
@UseGuards(JwtAuthGuard, ScopesGuard)
class HostController {
  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @Get('all')
  @Scopes('orders:read', 'orders:write')
  all(): string {
    return 'all';
  }

  @Get('any')
  @Scopes.any('orders:read', 'orders:admin')
  any(): string {
    return 'any';
  }
}

@Controller('admin')
@UseGuards(JwtAuthGuard, ScopesGuard)
@Scopes('admin')
class AdminController {
  @Get()
  inherited(): string {
    return 'admin';
  }

  @Get('override')
  @Scopes('orders:read')
  overridden(): string {
    return 'override';
  }
}

/** One handler inherited by two controllers with different class-level scopes. */
class ReportsBase {
  @Get()
  report(): string {
    return 'report';
  }
}

@Controller('reports/open')
@UseGuards(JwtAuthGuard, ScopesGuard)
class OpenReportsController extends ReportsBase {}

@Controller('reports/secret')
@UseGuards(JwtAuthGuard, ScopesGuard)
@Scopes('reports:secret')
class SecretReportsController extends ReportsBase {}

const VARIANTS: [string, (options: AuthOptions) => DynamicModule][] = [
  ['forRoot', (options) => AuthModule.forRoot(options)],
  [
    'forRootAsync',
    (options) =>
      AuthModule.forRootAsync({
        useFactory: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return options;
        },
      }),
  ],
];

function hostModule(auth: DynamicModule): DynamicModule {
  @Module({
    imports: [auth],
    controllers: [HostController, AdminController, OpenReportsController, SecretReportsController],
  })
  class HostModule {}
  return { module: HostModule };
}

describe.each(ADAPTERS)('AuthModule in a host app on %s', (adapter) => {
  describe.each(VARIANTS)('configured with %s', (_name, configure) => {
    const issuer = new TestIssuer('https://orders.example/api');
    let running: RunningApp;

    beforeAll(async () => {
      await issuer.start();
      running = await startApp(
        hostModule(configure({ issuerUrl: issuer.url, audience: issuer.audience })),
        adapter,
      );
    });

    afterAll(async () => {
      await running?.app.close();
      await issuer.stop();
    });

    const call = (path: string, claims: Record<string, unknown> = {}) =>
      get(running.url, path, `Bearer ${issuer.token({ claims })}`);

    it('puts the typed principal on the request for @CurrentUser()', async () => {
      const reply = await call('host/me', {
        sub: 'auth0|42',
        scope: 'a b',
        scp: ['c'],
        permissions: ['b', 'd'],
      });
      expect(reply.status).toBe(200);
      const principal = reply.body as Principal;
      expect(principal.sub).toBe('auth0|42');
      expect([...principal.scopes].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(principal.claims).toMatchObject({
        iss: issuer.url,
        aud: issuer.audience,
        sub: 'auth0|42',
      });
    });

    it('answers 401 with its realm (the audience) and no error when the token is missing', async () => {
      const reply = await get(running.url, 'host/me');
      expect(reply.status).toBe(401);
      expect(reply.challenge).toBe('Bearer realm="https://orders.example/api"');
      expect(reply.body).toMatchObject({ statusCode: 401, error: 'unauthorized' });
    });

    it('@Scopes(a, b) requires every scope', async () => {
      expect((await call('host/all', { scope: 'orders:read orders:write' })).status).toBe(200);
      const partial = await call('host/all', { scope: 'orders:read' });
      expect(partial.status).toBe(403);
      expect(partial.challenge).toBe(
        'Bearer realm="https://orders.example/api", error="insufficient_scope", ' +
          'error_description="token lacks the required scope: orders:read orders:write", scope="orders:read orders:write"',
      );
      expect(partial.body).toEqual({
        statusCode: 403,
        error: 'insufficient_scope',
        error_description: 'token lacks the required scope: orders:read orders:write',
      });
    });

    it('@Scopes.any(a, b) requires at least one scope', async () => {
      expect((await call('host/any', { scope: 'orders:admin' })).status).toBe(200);
      expect((await call('host/any', { permissions: ['orders:read'] })).status).toBe(200);
      const none = await call('host/any', { scope: 'orders:write' });
      expect(none.status).toBe(403);
      expect(none.challenge).toContain('scope="orders:read orders:admin"');
      expect(none.body).toMatchObject({
        error: 'insufficient_scope',
        error_description: expect.stringMatching(/one of/),
      });
    });

    it('keeps the scopes of each class for a handler they inherit', async () => {
      expect((await call('reports/open')).status).toBe(200);
      expect((await call('reports/secret')).status).toBe(403);
      expect((await call('reports/open')).status).toBe(200);
      expect((await call('reports/secret', { scope: 'reports:secret' })).status).toBe(200);
    });

    it('applies a class-level @Scopes, which a method-level one overrides', async () => {
      expect((await call('admin', { scope: 'admin' })).status).toBe(200);
      expect((await call('admin', { scope: 'orders:read' })).status).toBe(403);
      expect((await call('admin/override', { scope: 'orders:read' })).status).toBe(200);
      expect((await call('admin/override', { scope: 'admin' })).status).toBe(403);
    });
  });
});

describe('AuthModule with requireAccessTokenType', () => {
  const issuer = new TestIssuer('https://orders.example/api');
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    running = await startApp(
      hostModule(
        AuthModule.forRoot({
          issuerUrl: issuer.url,
          audience: issuer.audience,
          requireAccessTokenType: true,
        }),
      ),
      'fastify',
    );
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  it('accepts typ at+jwt and refuses typ JWT or none (RFC 9068 §4)', async () => {
    expect(
      (await get(running.url, 'host/me', `Bearer ${issuer.token({ header: { typ: 'at+jwt' } })}`))
        .status,
    ).toBe(200);
    for (const typ of ['JWT', undefined]) {
      const reply = await get(
        running.url,
        'host/me',
        `Bearer ${issuer.token({ header: { typ } })}`,
      );
      expect(reply.status).toBe(401);
      expect(reply.challenge).toMatch(
        /error="invalid_token", error_description="token type not accepted/,
      );
    }
  });
});

describe('AuthModule option checks', () => {
  const build = (options: Partial<AuthOptions>) =>
    Test.createTestingModule({
      imports: [
        hostModule(
          AuthModule.forRoot({ issuerUrl: 'https://tenant.example/', audience: 'a', ...options }),
        ),
      ],
    }).compile();

  it.each([
    [{ issuerUrl: 'http://tenant.example/' }, /AuthOptions\.issuerUrl must use https/],
    [{ issuerUrl: 'not a url' }, /AuthOptions\.issuerUrl is not a valid URL/],
    [{ audience: [] }, /AuthOptions\.audience/],
    [{ algorithms: ['HS256'] }, /AuthOptions\.algorithms contains "HS256"/],
    [{ algorithms: ['none'] }, /AuthOptions\.algorithms contains "none"/],
    [{ clockToleranceSec: -1 }, /AuthOptions\.clockToleranceSec/],
    [{ jwksUri: 'ftp://tenant.example/jwks' }, /AuthOptions\.jwksUri/],
    [
      { requireAccessTokenType: 'yes' },
      /AuthOptions\.requireAccessTokenType must be true or false/,
    ],
  ])('refuses %j at start-up', async (options, message) => {
    await expect(build(options as Partial<AuthOptions>)).rejects.toThrow(message);
  });
});
