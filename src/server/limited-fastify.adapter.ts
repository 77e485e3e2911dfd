import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { clientErrorStatus } from './client-errors.js';
import type { ServerLimits } from './server-limits.js';

/** Node's ServerResponse flag for the answer that reaches `maxRequestsPerSocket` (not in @types/node 20). */
interface Capped {
  maxRequestsOnConnectionReached?: boolean;
}

/** The methods whose routes take a body; every other route refuses one. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** True when the request announces a body (RFC 9112 §6.3: a non-zero Content-Length, or any Transfer-Encoding). */
function announcesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}

/**
 * Nest's Fastify adapter with limits against hostile clients, all from Fastify's and Node's own options:
 * a small body limit, bodies refused before they are read on routes that take none, a request timeout
 * that covers bodies (408, closed), a keep-alive timeout, a connection cap and a per-connection request
 * cap; aborted and malformed requests cost one debug line, never a stack; and {@link drain} for shutdown.
 *
 * Behind a reverse proxy (nginx, Envoy, a cloud load balancer) the proxy would normally do more: limit
 * connections and request rates per client address, buffer slow clients' bodies, and terminate TLS.
 * These limits hold without one.
 */
export class LimitedFastifyAdapter extends FastifyAdapter {
  private readonly log = new Logger('HTTP');
  private readonly sockets = new Set<Socket>();
  private draining = false;

  /**
   * `logClientErrors: false` when a request log already writes a line for every request (its
   * `clientError` field then carries the code), so that a refused or aborted request costs one line.
   */
  constructor(
    readonly limits: ServerLimits,
    private readonly serverOptions: {
      logClientErrors?: boolean;
      /**
       * Fastify's `trustProxy`: the proxies whose `X-Forwarded-For` sets `request.ip` (a hop count
       * or addresses and ranges); by default none, so that no client can choose its address.
       */
      trustProxy?: false | number | string[];
    } = {},
  ) {
    super({
      // Fastify takes a hop count too (proxy-addr); Nest's option type omits it.
      trustProxy: (serverOptions.trustProxy ?? false) as boolean | string[],
      bodyLimit: limits.bodyLimitBytes,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxRequestsPerSocket: limits.maxRequestsPerSocket,
      http: {
        // Given at creation so that Node's headersTimeout becomes min(60 s, requestTimeout); Node checks
        // both every connectionsCheckingInterval (30 s by default, which would double a short timeout).
        requestTimeout: limits.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
      },
    });
    const instance = this.getInstance();
    const server = instance.server;
    server.maxConnections = limits.maxConnections;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    instance.addHook('onRequest', (request, reply, done) => {
      if (this.draining) {
        void reply.code(503).header('connection', 'close').send(errorBody(503, 'shutting down'));
      } else if (announcesBody(request) && (request.is404 || !BODY_METHODS.has(request.method))) {
        // Refused before a byte of it is read, and the connection closed so that the rest is never read.
        void reply
          .code(413)
          .header('connection', 'close')
          .send(errorBody(413, 'this route takes no request body'));
      } else {
        done();
      }
    });
    instance.addHook('onSend', (_request, reply, payload, done) => {
      // Node marks the answer that reaches maxRequestsPerSocket `Connection: close` but keeps reading (and
      // answering 503 to) whatever the client pipelines after it; set explicitly, the header makes Node
      // close the connection once this answer is written. While draining, every answer closes its
      // connection, so that keep-alive clients let go.
      if (this.draining || (reply.raw as Capped).maxRequestsOnConnectionReached)
        void reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Wraps Nest's error handler: client errors get a short answer and one debug line, the rest go to Nest. */
  override setErrorHandler(handler: Parameters<FastifyAdapter['setErrorHandler']>[0]) {
    const log = this.log;
    const logClientErrors = this.serverOptions.logClientErrors ?? true;
    return super.setErrorHandler(function (
      this: unknown,
      error: unknown,
      request: FastifyRequest,
      reply: FastifyReply,
    ) {
      const status = clientErrorStatus(error);
      if (status === undefined) return Reflect.apply(handler, this, [error, request, reply]);
      const { code } = error as FastifyError;
      (request as { clientError?: string }).clientError = code;
      if (logClientErrors)
        log.debug(
          code.startsWith('FST_')
            ? `${request.method} request refused with ${status}: ${code}`
            : `${request.method} request aborted by the client (${code})`,
        );
      void reply.code(status).header('connection', 'close').send(errorBody(status));
    });
  }

  /**
   * Stops accepting connections and lets in-flight requests finish for up to `timeoutMs`, then closes
   * every connection still open (idle, half-sent or still running); resolves with how many it closed so.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    const server = this.getHttpServer() as Server;
    let cut = 0;
    const deadline = setTimeout(() => {
      cut = this.sockets.size;
      for (const socket of this.sockets) socket.destroy();
    }, timeoutMs);
    // Node's close() also closes idle keep-alive connections at once; the callback runs when the last one ends.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(deadline);
    return cut;
  }
}

function errorBody(statusCode: number, message = STATUS_CODES[statusCode]) {
  return { statusCode, error: STATUS_CODES[statusCode], message };
}
