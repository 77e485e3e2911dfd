import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
// The host app sees only the public API, as another Nest service would.
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  JwtStrategy,
  Public,
  Scopes,
  ScopesGuard,
  UnsupportedContextError,
  type AuthOptions,
  type Principal,
} from '../src/auth/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { TestIssuer } from './support/test-issuer.js';

@Controller('orders')
class OrdersController {
  /** No decorator at all: closed by protectAllRoutes. */
  @Get()
  list(@CurrentUser() user: Principal): { sub: string } {
    return { sub: user.sub };
  }

  @Get('open')
  @Public()
  open(): string {
    return 'open';
  }

  @Get('scoped')
  @Scopes('orders:read')
  scoped(): string {
    return 'scoped';
  }

  /** @Public() never drops a scope requirement. */
  @Get('public-scoped')
  @Public()
  @Scopes('orders:read')
  publicScoped(): string {
    return 'public-scoped';
  }

  /** The route guards of before protectAllRoutes, kept: they must not verify the token again. */
  @Get('guarded')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  @Scopes('orders:read')
  guarded(): string {
    return 'guarded';
  }
}

@Public()
@Controller('catalog')
class CatalogController {
  @Get()
  browse(): string {
    return 'catalog';
  }
}

const VARIANTS: [string, (options: AuthOptions) => DynamicModule][] = [
  ['forRoot', (options) => AuthModule.forRoot({ ...options, protectAllRoutes: true })],
  [
    'forRootAsync',
    (options) =>
      AuthModule.forRootAsync({ protectAllRoutes: true, useFactory: async () => options }),
  ],
];

describe.each(ADAPTERS)('protectAllRoutes on %s', (adapter) => {
  describe.each(VARIANTS)('configured with %s', (_name, configure) => {
    const issuer = new TestIssuer('https://orders.example/api');
    let running: RunningApp;

    beforeAll(async () => {
      await issuer.start();
      @Module({
        // The cache off, so that every verification runs the strategy (counted below).
        imports: [
          configure({ issuerUrl: issuer.url, audience: issuer.audience, tokenCacheMaxEntries: 0 }),
        ],
        controllers: [OrdersController, CatalogController],
      })
      class HostModule {}
      running = await startApp(HostModule, adapter);
    });

    afterAll(async () => {
      await running?.app.close();
      await issuer.stop();
    });

    const bearer = (scope?: string) =>
      `Bearer ${issuer.token({ claims: scope === undefined ? {} : { scope } })}`;

    it('answers 401 with the RFC 6750 challenge on a route without any decorator', async () => {
      const reply = await get(running.url, 'orders');
      expect(reply.status).toBe(401);
      expect(reply.challenge).toBe('Bearer realm="https://orders.example/api"');
      expect(reply.body).toEqual({
        statusCode: 401,
        error: 'unauthorized',
        error_description: expect.stringMatching(/no access token/),
      });
      const bad = await get(running.url, 'orders', 'Bearer not.a.token');
      expect(bad.status).toBe(401);
      expect(bad.body).toMatchObject({ error: 'invalid_token' });
    });

    it('answers 200 with the principal on that route for a valid token', async () => {
      const reply = await get(running.url, 'orders', bearer());
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ sub: 'auth0|user-1' });
    });

    it('answers 200 without a token on a @Public() route and on every route of a @Public() controller', async () => {
      expect((await get(running.url, 'orders/open')).text).toBe('open');
      expect((await get(running.url, 'orders/open')).status).toBe(200);
      expect((await get(running.url, 'catalog')).status).toBe(200);
    });

    it('enforces @Scopes with no guard named: 401, 403 insufficient_scope, 200', async () => {
      expect((await get(running.url, 'orders/scoped')).status).toBe(401);
      const partial = await get(running.url, 'orders/scoped', bearer('orders:write'));
      expect(partial.status).toBe(403);
      expect(partial.challenge).toContain('error="insufficient_scope"');
      expect(partial.challenge).toContain('scope="orders:read"');
      expect((await get(running.url, 'orders/scoped', bearer('orders:read'))).status).toBe(200);
    });

    it('keeps @Scopes on a @Public() route: a token with the scope is still needed', async () => {
      expect((await get(running.url, 'orders/public-scoped')).status).toBe(401);
      expect((await get(running.url, 'orders/public-scoped', bearer())).status).toBe(403);
      expect((await get(running.url, 'orders/public-scoped', bearer('orders:read'))).status).toBe(
        200,
      );
    });

    it('verifies the token once on a route that also has @UseGuards(JwtAuthGuard, ScopesGuard)', async () => {
      const strategy = running.app.get(JwtStrategy);
      const run = jest.spyOn(strategy, 'run');
      try {
        expect((await get(running.url, 'orders/guarded', bearer('orders:read'))).status).toBe(200);
        expect(run).toHaveBeenCalledTimes(1);
        expect((await get(running.url, 'orders/guarded', bearer())).status).toBe(403);
        expect(run).toHaveBeenCalledTimes(2);
      } finally {
        run.mockRestore();
      }
    });
  });
});

/** The two mistakes a new user makes, without protectAllRoutes. */
@Controller('misuse')
class MisuseController {
  /** A scope on a route guarded by JwtAuthGuard alone (was: silently unenforced). */
  @Get('token-guard-only')
  @UseGuards(JwtAuthGuard)
  @Scopes('orders:read')
  tokenGuardOnly(): string {
    return 'token-guard-only';
  }

  /** The guards in the reversed order (was: 401 "no access token" for a valid, scoped token). */
  @Get('reversed')
  @UseGuards(ScopesGuard, JwtAuthGuard)
  @Scopes('orders:read')
  reversed(@CurrentUser() user: Principal): { sub: string } {
    return { sub: user.sub };
  }

  /** ScopesGuard alone, and no @Scopes (was: open to anyone). */
  @Get('scopes-guard-only')
  @UseGuards(ScopesGuard)
  scopesGuardOnly(): string {
    return 'scopes-guard-only';
  }
}

describe.each(ADAPTERS)('misused guards fail closed on %s', (adapter) => {
  const issuer = new TestIssuer('https://orders.example/api');
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    @Module({
      imports: [AuthModule.forRoot({ issuerUrl: issuer.url, audience: issuer.audience })],
      controllers: [MisuseController],
    })
    class MisuseModule {}
    running = await startApp(MisuseModule, adapter);
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  const bearer = (scope: string) => `Bearer ${issuer.token({ claims: { scope } })}`;

  it('@Scopes on a route guarded by JwtAuthGuard alone answers 403 to a token without the scope', async () => {
    const reply = await get(running.url, 'misuse/token-guard-only', bearer('orders:write'));
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ statusCode: 403, error: 'insufficient_scope' });
    expect(reply.challenge).toContain('scope="orders:read"');
    expect((await get(running.url, 'misuse/token-guard-only', bearer('orders:read'))).status).toBe(
      200,
    );
  });

  it('@UseGuards(ScopesGuard, JwtAuthGuard) answers like the usual order: 200, 403, 401', async () => {
    const ok = await get(running.url, 'misuse/reversed', bearer('orders:read'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ sub: 'auth0|user-1' });
    expect((await get(running.url, 'misuse/reversed', bearer('orders:write'))).status).toBe(403);
    const none = await get(running.url, 'misuse/reversed');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'unauthorized' });
  });

  it('ScopesGuard alone on a route without @Scopes still requires a valid token', async () => {
    expect((await get(running.url, 'misuse/scopes-guard-only')).status).toBe(401);
    expect((await get(running.url, 'misuse/scopes-guard-only', bearer(''))).status).toBe(200);
  });
});

/** A handler run by Nest's pipeline for a transport the auth layer does not know. */
@Injectable()
class PigeonHandler {
  @UseGuards(JwtAuthGuard)
  deliver(): string {
    return 'delivered';
  }
}

describe('an execution context the guards do not know', () => {
  const issuer = new TestIssuer();
  let app: INestApplication;

  beforeAll(async () => {
    await issuer.start();
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ issuerUrl: issuer.url, audience: issuer.audience })],
      providers: [PigeonHandler],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await issuer.stop();
  });

  it('is refused with an AuthError, even when its first argument looks like a request with a valid token', async () => {
    const handler = app.get(PigeonHandler);
    // The way @nestjs/graphql and other transports run handlers: guards on, a context type of their own.
    const run = app
      .get(ExternalContextCreator)
      .create(
        handler,
        handler.deliver,
        'deliver',
        undefined,
        undefined,
        undefined,
        undefined,
        { guards: true, interceptors: false, filters: false },
        'carrier-pigeon',
      );
    const request = { headers: { authorization: `Bearer ${issuer.token()}` } };
    await expect(run(request)).rejects.toBeInstanceOf(UnsupportedContextError);
    await expect(run(request)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
