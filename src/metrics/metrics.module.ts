import { Global, Module } from '@nestjs/common';
import { AUTH_OBSERVER } from '../auth/index.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { RequestMetricsHooks } from './request-metrics.hooks.js';

/**
 * Prometheus metrics at `GET /metrics`: request durations, auth outcomes, key-set fetches and
 * token-cache lookups, and the default process metrics. Global, because it provides `AuthModule`'s
 * `AUTH_OBSERVER`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    RequestMetricsHooks,
    { provide: AUTH_OBSERVER, useExisting: MetricsService },
  ],
  exports: [AUTH_OBSERVER],
})
export class MetricsModule {}
