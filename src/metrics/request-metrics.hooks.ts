import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { authFailureOf } from '../auth/index.js';
import { addRequestHooks } from '../request-hooks/index.js';
import { MetricsService } from './metrics.service.js';

/** Times every request and counts auth outcomes when its response is sent. */
@Injectable()
export class RequestMetricsHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    addRequestHooks(this.adapterHost, {
      done: (finished) =>
        this.metrics.request(
          finished.method,
          finished.route,
          finished.statusCode,
          finished.durationMs,
          finished.user !== undefined,
          authFailureOf(finished.request),
        ),
    });
  }
}
