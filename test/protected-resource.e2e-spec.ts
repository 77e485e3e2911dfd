import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuthModule,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthOptions,
} from '../src/auth/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { TestIssuer } from './support/test-issuer.js';

@Controller('orders')
@UseGuards(JwtAuthGuard, ScopesGuard)
class OrdersController {
  @Get()
  @Scopes('orders:read')
  list(): string {
    return 'orders';
  }

  @Get('admin')
  @Scopes.any('orders:admin', 'admin')
  admin(): string {
    return 'admin';
  }

  @Get('mine')
  mine(): string {
    return 'mine';
  }
}

@Controller('reports')
@UseGuards(JwtAuthGuard, ScopesGuard)
@Scopes('reports:read')
class ReportsController {
  @Get()
  report(): string {
    return 'report';
  }
}

function hostModule(options: Partial<AuthOptions> & Pick<AuthOptions, 'issuerUrl'>): DynamicModule {
  @Module({})
  class HostModule {}
  return {
    module: HostModule,
    imports: [
      AuthModule.forRoot({
        isGlobal: true,
        audience: 'https://orders.example/api',
        jwksWarmUp: false,
        ...options,
      }),
    ],
    controllers: [OrdersController, ReportsController],
  };
}

const METADATA_PATH = '.well-known/oauth-protected-resource';

describe.each(ADAPTERS)('RFC 9728 protected-resource metadata on %s', (adapter) => {
  const issuer = new TestIssuer('https://orders.example/api');

  beforeAll(() => issuer.start());
  afterAll(() => issuer.stop());

  describe('a resource identifier with a path', () => {
    const resource = 'https://api.example.com/v1';
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp(
        hostModule({
          issuerUrl: issuer.url,
          resource,
          resourceName: 'Orders API',
          resourceDocumentation: 'https://api.example.com/docs',
        }),
        adapter,
      );
    });
    afterAll(() => running?.app.close());

    const EXPECTED = () => ({
      resource: 'https://api.example.com/v1',
      authorization_servers: [issuer.url],
      scopes_supported: ['admin', 'orders:admin', 'orders:read', 'reports:read'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders API',
      resource_documentation: 'https://api.example.com/docs',
    });

    it('serves the document at the path-suffixed location, with exactly its fields', async () => {
      const reply = await get(running.url, `${METADATA_PATH}/v1`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toEqual(EXPECTED());
      // Byte for byte: the resource as configured, and no signing fields the resource has no use for.
      expect(reply.text).toContain('"resource":"https://api.example.com/v1"');
      expect(reply.body).not.toHaveProperty('jwks_uri');
      expect(reply.body).not.toHaveProperty('resource_signing_alg_values_supported');
    });

    it('serves it at the root location too, where clients look next', async () => {
      const reply = await get(running.url, METADATA_PATH);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(EXPECTED());
    });

    it('is cacheable and readable from any origin', async () => {
      const reply = await get(running.url, `${METADATA_PATH}/v1`);
      expect(reply.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('answers 404 for a path suffix that is not the resource', async () => {
      expect((await get(running.url, `${METADATA_PATH}/v2`)).status).toBe(404);
    });

    it('needs no token', async () => {
      const reply = await get(running.url, `${METADATA_PATH}/v1`, 'Bearer not-a-token');
      expect(reply.status).toBe(200);
    });

    const metadataParam =
      'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1"';

    it('names the metadata in the 401 challenge without a token', async () => {
      const reply = await get(running.url, 'orders');
      expect(reply.status).toBe(401);
      expect(reply.challenge).toBe(`Bearer realm="https://orders.example/api", ${metadataParam}`);
    });

    it('names the metadata in the 401 challenge of a bad token', async () => {
      const reply = await get(
        running.url,
        'orders/mine',
        `Bearer ${issuer.token({ claims: { aud: 'https://other.example/' } })}`,
      );
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        statusCode: 401,
        error: 'invalid_token',
        error_description: 'audience not accepted',
      });
      expect(reply.challenge).toBe(
        `Bearer realm="https://orders.example/api", error="invalid_token", error_description="audience not accepted", ${metadataParam}`,
      );
    });

    it('names the metadata in the 403 challenge of a missing scope', async () => {
      const reply = await get(running.url, 'orders', `Bearer ${issuer.token()}`);
      expect(reply.status).toBe(403);
      expect(reply.challenge).toBe(
        `Bearer realm="https://orders.example/api", error="insufficient_scope", error_description="token lacks the required scope: orders:read", scope="orders:read", ${metadataParam}`,
      );
    });

    it('accepts a token whose aud is the resource identifier (RFC 8707 §2), or a configured audience', async () => {
      for (const aud of [resource, [resource, 'https://other.example/'], issuer.audience]) {
        const token = issuer.token({ claims: { aud, scope: 'orders:read' } });
        expect((await get(running.url, 'orders', `Bearer ${token}`)).status).toBe(200);
      }
    });

    it('refuses a token for the resource written differently (a trailing slash is another resource)', async () => {
      const token = issuer.token({ claims: { aud: `${resource}/` } });
      const reply = await get(running.url, 'orders/mine', `Bearer ${token}`);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ error_description: 'audience not accepted' });
    });
  });

  describe('a resource identifier without a path', () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp(
        hostModule({ issuerUrl: issuer.url, resource: 'https://api.example.com/' }),
        adapter,
      );
    });
    afterAll(() => running?.app.close());

    it('serves the document at the root location, without the fields it has no value for', async () => {
      const reply = await get(running.url, METADATA_PATH);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        resource: 'https://api.example.com/',
        authorization_servers: [issuer.url],
        scopes_supported: ['admin', 'orders:admin', 'orders:read', 'reports:read'],
        bearer_methods_supported: ['header'],
      });
    });

    it('names the root location in challenges', async () => {
      expect((await get(running.url, 'orders')).challenge).toBe(
        'Bearer realm="https://orders.example/api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"',
      );
    });
  });

  describe('no resource identifier', () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp(hostModule({ issuerUrl: issuer.url }), adapter);
    });
    afterAll(() => running?.app.close());

    it('serves no metadata and names none in challenges', async () => {
      expect((await get(running.url, METADATA_PATH)).status).toBe(404);
      expect((await get(running.url, 'orders')).challenge).toBe(
        'Bearer realm="https://orders.example/api"',
      );
    });

    it('refuses a token whose only aud is a resource identifier it was not given', async () => {
      const token = issuer.token({ claims: { aud: 'https://api.example.com/' } });
      expect((await get(running.url, 'orders/mine', `Bearer ${token}`)).status).toBe(401);
    });
  });
});
