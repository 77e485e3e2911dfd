import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** The `route` of a request that matched no route (a 404): never the raw URL, which the client chose. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** A request whose response has been sent, as the request log and metrics see it. */
export interface FinishedRequest {
  method: string;
  /** The matched route pattern (`/api/private`), or {@link UNMATCHED_ROUTE}. */
  route: string;
  statusCode: number;
  durationMs: number;
  /** The request object guards and filters see (Fastify's, or Express's), for `authFailureOf`. */
  request: object;
  /** `request.user`: set when `JwtAuthGuard` accepted a token. */
  user: unknown;
  /** A header of the response as sent. */
  responseHeader(name: string): unknown;
}

/** What to run around every request; both run on the request path, so they must be cheap. */
export interface RequestHooks {
  /** When a request arrives: may set response headers. */
  start?(headers: IncomingHttpHeaders, setHeader: (name: string, value: string) => void): void;
  /** Once its response is sent. */
  done?(finished: FinishedRequest): void;
}

type StartHook = NonNullable<RequestHooks['start']>;
type DoneHook = NonNullable<RequestHooks['done']>;
/** The hooks registered per server, so that a request computes its {@link FinishedRequest} once. */
const registered = new WeakMap<object, { start: StartHook[]; done: DoneHook[] }>();

/**
 * Runs `hooks` around every request of the app, on Fastify (its `onRequest` and `onResponse`
 * hooks, which know the route pattern) or Express (the HTTP server's `request` event, and the
 * response's `finish`; Express leaves the matched route on `req.route`). Call from `onModuleInit`.
 */
export function addRequestHooks(adapterHost: HttpAdapterHost, hooks: RequestHooks): void {
  const adapter = adapterHost.httpAdapter;
  const server: object = adapter.getInstance();
  let lists = registered.get(server);
  if (lists === undefined) {
    lists = { start: [], done: [] };
    registered.set(server, lists);
    install(adapterHost, lists.start, lists.done);
  }
  if (hooks.start !== undefined) lists.start.push(hooks.start);
  if (hooks.done !== undefined) lists.done.push(hooks.done);
}

function install(adapterHost: HttpAdapterHost, starts: StartHook[], dones: DoneHook[]): void {
  const adapter = adapterHost.httpAdapter;
  if (adapter.getType() === 'fastify') {
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, next) => {
      for (const start of starts)
        start(request.headers, (name, value) => void reply.header(name, value));
      next();
    });
    fastify.addHook('onResponse', (request, reply, next) => {
      if (dones.length > 0) {
        const finished: FinishedRequest = {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          statusCode: reply.statusCode,
          durationMs: reply.elapsedTime,
          request,
          user: (request as { user?: unknown }).user,
          responseHeader: (name) => reply.getHeader(name),
        };
        for (const done of dones) done(finished);
      }
      next();
    });
    return;
  }
  const server = adapter.getHttpServer() as Server;
  // Before Express's own listener, which may answer synchronously.
  server.prependListener(
    'request',
    (req: IncomingMessage & { user?: unknown }, res: ServerResponse) => {
      const startedAt = performance.now();
      for (const start of starts) start(req.headers, (name, value) => res.setHeader(name, value));
      if (dones.length === 0) return;
      res.once('finish', () => {
        const route = (req as { route?: { path?: unknown } }).route?.path;
        const finished: FinishedRequest = {
          method: req.method ?? 'GET',
          route: typeof route === 'string' ? route : UNMATCHED_ROUTE,
          statusCode: res.statusCode,
          durationMs: performance.now() - startedAt,
          request: req,
          user: req.user,
          responseHeader: (name) => res.getHeader(name),
        };
        for (const done of dones) done(finished);
      });
    },
  );
}
