import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { authFailureOf, claimedIssuerOf, invalidTokenReason } from '../auth/index.js';
import { observabilityConfig, type ObservabilityEnv } from '../config/index.js';
import { ROOT_LOGGER } from './logging.constants.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** The `route` of a request that matched no route (a 404): never the raw URL, which the client chose. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * One log line per request, written when the response is sent: request id, method, route pattern,
 * status, time, and for a request the auth layer refused, why (`auth.error`, `auth.reason`,
 * `auth.detail`: which claim, which kid, else the client's description; `auth.iss`, the issuer the token claims). Never the
 * token, never a header. Fastify hooks rather than a middleware: they see the route pattern and
 * cost no per-request child logger.
 */
@Injectable()
export class RequestLogHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(observabilityConfig.KEY) private readonly env: ObservabilityEnv,
  ) {}

  onModuleInit(): void {
    if (!this.env.logRequests) return;
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.getType() !== 'fastify') {
      throw new Error(
        'the request log hooks into Fastify: run the app on @nestjs/platform-fastify',
      );
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, requestIdFrom(request.headers[REQUEST_ID_HEADER]));
      done();
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      this.write(request, reply);
      done();
    });
  }

  private write(request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line: Record<string, unknown> = {
      reqId: reply.getHeader(REQUEST_ID_HEADER),
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    const failure = authFailureOf(request);
    if (failure !== undefined) {
      line['auth'] = {
        error: failure.code,
        reason: invalidTokenReason(failure),
        detail: failure.detail ?? failure.description,
        iss: claimedIssuerOf(request),
      };
    }
    if (status >= 500) this.logger.error(line, 'request completed');
    else this.logger.info(line, 'request completed');
  }
}
