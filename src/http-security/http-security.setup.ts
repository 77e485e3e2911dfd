import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { onRequestHookHandler } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { DOCS_PATH } from '../docs/index.js';

/**
 * The API answers JSON only, so its pages may load nothing and be framed by no one (the OWASP REST
 * security cheat sheet's policy); every other helmet header keeps helmet's default.
 */
export const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
};

/**
 * What Swagger UI needs and no more: its scripts, styles and images from this origin, its inline
 * `<style>` blocks, `data:` images and fonts, and `fetch` to this origin for "Try it out". No
 * `upgrade-insecure-requests`, so the docs also work over plain http in development.
 */
export const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
};

/** Response headers every browser may read when CORS is on: the RFC 6750 §3 challenge and the 503's wait. */
export const CORS_EXPOSED_HEADERS = ['WWW-Authenticate', 'Retry-After'];

/**
 * The headers helmet sets for `options`, computed once, with lower-case names (Fastify lower-cases
 * every name it is given, per header and per request). Helmet's policies are static here (no
 * per-request nonce), and @fastify/helmet rebuilds helmet's middleware on every request: 27 µs
 * each, against 1.5 µs to run a built one and less to copy a ready header set (measured with
 * node on this machine), about 30 % of `GET /api/public` throughput in an A/B run.
 */
export function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Whether a route is part of Swagger UI (its page and assets), the one place the relaxed policy applies. */
function isDocsRoute(url: string): boolean {
  return url === DOCS_PATH || url.startsWith(`${DOCS_PATH}/`);
}

/**
 * Security headers on every response (helmet's; Swagger UI's routes get {@link DOCS_CSP})
 * and, when `CORS_ORIGINS` lists origins, CORS for them. Call before the docs are set up and before `listen`.
 */
export function setupHttpSecurity(
  app: NestFastifyApplication,
  env: { corsOrigins: readonly string[] },
): void {
  const apiHeaders = helmetHeaders({ contentSecurityPolicy: API_CSP });
  const docsHeaders = helmetHeaders({ contentSecurityPolicy: DOCS_CSP });
  const apiOnly = Object.keys(apiHeaders).filter((name) => !(name in docsHeaders));
  const fastify = app.getHttpAdapter().getInstance();
  // Every response, 404s included, gets the API's headers from one hook that looks nothing up.
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(apiHeaders);
    done();
  });
  // Swagger UI's routes (added by SwaggerModule and @fastify/static, not by a controller) replace
  // them with the docs policy in a hook of their own, which runs after the global one; the hook
  // must exist before those routes are declared.
  const docsHook: onRequestHookHandler = (_request, reply, done) => {
    for (const name of apiOnly) reply.removeHeader(name);
    reply.headers(docsHeaders);
    done();
  };
  fastify.addHook('onRoute', (route) => {
    if (!isDocsRoute(route.url)) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [...own, docsHook];
  });
  if (env.corsOrigins.length > 0) {
    app.enableCors({
      origin: env.corsOrigins[0] === '*' ? '*' : [...env.corsOrigins],
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // Bearer tokens travel in a header, never in cookies: no credentialed requests.
      credentials: false,
      maxAge: 600,
    });
  }
}
