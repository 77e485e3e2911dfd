import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module.js';
import { AuthModule, JwtAuthGuard, Public, Scopes, ScopesGuard } from '../src/auth/index.js';
import { setupDocs } from '../src/docs/index.js';
import { setupHttpSecurity } from '../src/http-security/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { freePort, get } from './support/http.js';
import { startMain, type AppProcess } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  description?: string;
}
interface Document {
  openapi: string;
  paths: Record<string, { get?: Operation }>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

/** `main.ts`'s set-up steps, on a test app. */
async function withDocs(app: INestApplication): Promise<void> {
  setupHttpSecurity(app as NestFastifyApplication, { corsOrigins: [] });
  setupDocs(app, { docsEnabled: true });
}

async function documentOf(url: string): Promise<Document> {
  const reply = await get(url, 'docs-json');
  expect(reply.status).toBe(200);
  return reply.body as Document;
}

describe('API docs of the app (/docs, /docs-json)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let running: RunningApp;
  let doc: Document;

  beforeAll(async () => {
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    running = await startApp(AppModule.forRoot(), 'fastify', 0, withDocs);
    doc = await documentOf(running.url);
  });

  afterAll(async () => {
    delete process.env['AUTH_ISSUER_URL'];
    delete process.env['AUTH_AUDIENCE'];
    await running?.app.close();
    await issuer.stop();
  });

  it('lists read:messages on /api/private-scoped, a bare bearer token on /api/private, nothing on /api/public', () => {
    expect(doc.paths['/api/private-scoped']?.get?.security).toEqual([
      { bearer: ['read:messages'] },
    ]);
    expect(doc.paths['/api/private']?.get?.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/public']?.get?.security).toBeUndefined();
    expect(doc.components.securitySchemes['bearer']).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
  });

  it('documents 200 with its body, and 401, 403 and 503 with the auth error body, where they can happen', () => {
    const authError = { $ref: '#/components/schemas/AuthError' };
    const statuses = (path: string) => Object.keys(doc.paths[path]!.get!.responses).sort();
    expect(statuses('/api/public')).toEqual(['200']);
    expect(statuses('/api/private')).toEqual(['200', '401', '503']);
    expect(statuses('/api/private-scoped')).toEqual(['200', '401', '403', '503']);
    const scoped = doc.paths['/api/private-scoped']!.get!.responses;
    for (const status of ['401', '403', '503']) {
      expect(scoped[status]?.content?.['application/json']?.schema).toEqual(authError);
    }
    expect(scoped['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Message',
    });
    expect(doc.components.schemas['AuthError']).toMatchObject({
      required: ['statusCode', 'error', 'error_description'],
    });
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await get(running.url, 'docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect((await get(running.url, 'docs/swagger-ui-bundle.js')).status).toBe(200);
  });
});

describe('scopes in the docs come from @Scopes, the metadata ScopesGuard enforces', () => {
  const issuer = new TestIssuer();

  beforeAll(() => issuer.start());
  afterAll(() => issuer.stop());

  /** The security of `GET /orders` in the document of an app whose controller has `decorate` applied. */
  async function ordersSecurity(
    decorate?: (target: object, key: string, descriptor: PropertyDescriptor) => void,
  ): Promise<Operation> {
    @Controller('orders')
    class OrdersController {
      @Get()
      @UseGuards(JwtAuthGuard, ScopesGuard)
      list(): string {
        return 'orders';
      }
    }
    if (decorate) {
      const descriptor = Object.getOwnPropertyDescriptor(OrdersController.prototype, 'list')!;
      decorate(OrdersController.prototype, 'list', descriptor);
    }
    @Module({
      imports: [
        AuthModule.forRoot({
          issuerUrl: issuer.url,
          audience: issuer.audience,
          jwksWarmUp: false,
        }),
      ],
      controllers: [OrdersController],
    })
    class OrdersModule {}
    const running = await startApp(OrdersModule, 'fastify', 0, withDocs);
    try {
      return (await documentOf(running.url)).paths['/orders']!.get!;
    } finally {
      await running.app.close();
    }
  }

  it('shows a bare bearer requirement and no 403 without @Scopes', async () => {
    const operation = await ordersSecurity();
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation.responses['403']).toBeUndefined();
  });

  it('shows every scope of @Scopes(a, b) in one requirement, and the 403', async () => {
    const operation = await ordersSecurity(Scopes('orders:read', 'orders:audit'));
    expect(operation.security).toEqual([{ bearer: ['orders:read', 'orders:audit'] }]);
    expect(operation.responses['403']).toBeDefined();
    expect(operation.description).toContain('every one of: `orders:read`, `orders:audit`');
  });

  it('shows @Scopes.any(a, b) as alternative requirements', async () => {
    const operation = await ordersSecurity(Scopes.any('orders:read', 'orders:admin'));
    expect(operation.security).toEqual([{ bearer: ['orders:read'] }, { bearer: ['orders:admin'] }]);
    expect(operation.description).toContain('at least one of');
  });
});

describe('docs of an app with protectAllRoutes', () => {
  it('documents an undecorated route as needing a token, a @Public() one as open, and @Scopes on either', async () => {
    const issuer = await new TestIssuer().start();
    @Controller('shop')
    class ShopController {
      @Get('cart')
      cart(): string {
        return 'cart';
      }

      @Get('catalog')
      @Public()
      catalog(): string {
        return 'catalog';
      }

      @Get('stock')
      @Public()
      @Scopes('stock:read')
      stock(): string {
        return 'stock';
      }
    }
    @Module({
      imports: [
        AuthModule.forRoot({
          issuerUrl: issuer.url,
          audience: issuer.audience,
          jwksWarmUp: false,
          protectAllRoutes: true,
        }),
      ],
      controllers: [ShopController],
    })
    class ShopModule {}
    const running = await startApp(ShopModule, 'fastify', 0, withDocs);
    try {
      const doc = await documentOf(running.url);
      expect(doc.paths['/shop/cart']?.get?.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(doc.paths['/shop/cart']!.get!.responses).sort()).toEqual([
        '200',
        '401',
        '503',
      ]);
      expect(doc.paths['/shop/catalog']?.get?.security).toBeUndefined();
      expect(doc.paths['/shop/stock']?.get?.security).toEqual([{ bearer: ['stock:read'] }]);
      // Swagger UI is not a Nest route: the global guard never sees it.
      expect((await get(running.url, 'docs')).status).toBe(200);
      expect((await get(running.url, 'shop/cart')).status).toBe(401);
    } finally {
      await running.app.close();
      await issuer.stop();
    }
  });
});

describe('docs switched off', () => {
  it('serves neither /docs nor /docs-json when docsEnabled is false', async () => {
    const issuer = await new TestIssuer().start();
    @Module({
      imports: [
        AuthModule.forRoot({ issuerUrl: issuer.url, audience: issuer.audience, jwksWarmUp: false }),
      ],
    })
    class EmptyModule {}
    const running = await startApp(EmptyModule, 'fastify', 0, (app) =>
      setupDocs(app, { docsEnabled: false }),
    );
    try {
      expect((await get(running.url, 'docs')).status).toBe(404);
      expect((await get(running.url, 'docs-json')).status).toBe(404);
    } finally {
      await running.app.close();
      await issuer.stop();
    }
  });
});

describe('node dist/main.js in production serves the docs only with DOCS_ENABLED=true', () => {
  const issuer = new TestIssuer('https://quickstarts/api');

  beforeAll(() => issuer.start());
  afterAll(() => issuer.stop());

  it.each([
    [{}, 404],
    [{ DOCS_ENABLED: 'true' }, 200],
  ])('with %j: /docs-json answers %i', async (extra, status) => {
    const port = await freePort();
    const app: AppProcess = startMain({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      ...extra,
    });
    try {
      await app.waitFor(/Listening on/);
      const url = `http://127.0.0.1:${port}/`;
      expect((await get(url, 'docs-json')).status).toBe(status);
      expect((await get(url, 'docs')).status).toBe(status);
    } finally {
      await app.stop();
    }
  });
});
