import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/index.js';
import { READINESS_INDICATORS } from './health.constants.js';
import type { ReadinessIndicator } from './readiness-indicator.js';

/** Liveness and readiness probes for orchestrators (Kubernetes, load balancers). */
// Probes answer orchestrators, which hold no token.
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_INDICATORS) private readonly indicators: readonly ReadinessIndicator[],
  ) {}

  /** The process answers: 200 while the event loop runs. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** The app can do its job now: 200 when every indicator is up, 503 (with each one's state) otherwise. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators.map((indicator) => () => indicator.check()));
  }
}
