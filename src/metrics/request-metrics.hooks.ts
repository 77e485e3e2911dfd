import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { authFailureOf } from '../auth/index.js';
import { MetricsService } from './metrics.service.js';

/** The `route` label of a request that matched no route (a 404): never the raw URL. */
const UNMATCHED_ROUTE = '(unmatched)';

/** Times every request and counts auth outcomes, from a Fastify `onResponse` hook (it knows the route pattern). */
@Injectable()
export class RequestMetricsHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.getType() !== 'fastify') {
      throw new Error(
        'request metrics hooks into Fastify: run the app on @nestjs/platform-fastify',
      );
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.metrics.request(
        request.method,
        request.routeOptions.url ?? UNMATCHED_ROUTE,
        reply.statusCode,
        reply.elapsedTime,
        (request as { user?: unknown }).user !== undefined,
        authFailureOf(request),
      );
      done();
    });
  }
}
