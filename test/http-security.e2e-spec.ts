import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module.js';
import { setupDocs } from '../src/docs/index.js';
import { setupHttpSecurity } from '../src/http-security/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { TestIssuer } from './support/test-issuer.js';

const API_CSP = "default-src 'none';frame-ancestors 'none'";

/** A request with any headers (Origin included), reduced to status and headers. */
async function request(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers }> {
  const response = await fetch(new URL(path, base), {
    ...init,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return { status: response.status, headers: response.headers };
}

describe('security headers and CORS', () => {
  const issuer = new TestIssuer('https://quickstarts/api');

  beforeAll(async () => {
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
  });

  afterAll(async () => {
    delete process.env['AUTH_ISSUER_URL'];
    delete process.env['AUTH_AUDIENCE'];
    await issuer.stop();
  });

  /** The app as `main.ts` sets it up, with `CORS_ORIGINS` parsed as `corsOrigins`. */
  const start = (corsOrigins: string[]) =>
    startApp(AppModule.forRoot(), 'fastify', 0, async (app: INestApplication) => {
      setupHttpSecurity(app as NestFastifyApplication, { corsOrigins });
      setupDocs(app, { docsEnabled: true });
    });

  describe('with CORS off (the default)', () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await start([]);
    });
    afterAll(() => running?.app.close());

    it.each([
      ['api/public', 200],
      ['api/private', 401],
      ['docs-json', 200],
    ])('sends helmet headers and the locked-down API policy on %s (%i)', async (path, status) => {
      const reply = await request(running.url, path);
      expect(reply.status).toBe(status);
      expect(reply.headers.get('content-security-policy')).toBe(API_CSP);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(reply.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    });

    it.each(['docs', 'docs/', 'docs/swagger-ui.css', 'docs/swagger-ui-init.js'])(
      'relaxes the policy on %s only as far as Swagger UI needs',
      async (path) => {
        const reply = await request(running.url, path);
        expect(reply.status).toBe(200);
        const csp = reply.headers.get('content-security-policy') ?? '';
        expect(csp).not.toBe(API_CSP);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
        expect(csp).toContain("frame-ancestors 'none'");
        expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      },
    );

    it('answers no CORS headers, to a preflight or a request', async () => {
      const preflight = await request(running.url, 'api/private', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const reply = await request(running.url, 'api/private', {
        headers: { origin: 'https://app.example' },
      });
      expect(reply.headers.get('access-control-allow-origin')).toBeNull();
      expect(reply.headers.get('access-control-expose-headers')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS=https://app.example', () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await start(['https://app.example']);
    });
    afterAll(() => running?.app.close());

    it('answers a preflight from the listed origin, allowing the Authorization header', async () => {
      const reply = await request(running.url, 'api/private-scoped', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(reply.status).toBe(204);
      expect(reply.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(reply.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      expect(reply.headers.get('access-control-allow-methods')).toMatch(/GET/);
      expect(reply.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('exposes WWW-Authenticate (and Retry-After) on a 401 to the listed origin', async () => {
      const reply = await request(running.url, 'api/private', {
        headers: { origin: 'https://app.example' },
      });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(reply.headers.get('access-control-expose-headers')).toMatch(
        /^WWW-Authenticate,\s*Retry-After$/i,
      );
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('gives another origin no CORS permission', async () => {
      const reply = await request(running.url, 'api/public', {
        headers: { origin: 'https://evil.example' },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS=*', () => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await start(['*']);
    });
    afterAll(() => running?.app.close());

    it('allows any origin, without credentials', async () => {
      const reply = await request(running.url, 'api/private', {
        headers: { origin: 'https://anywhere.example' },
      });
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
      expect(reply.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/i);
    });
  });
});
