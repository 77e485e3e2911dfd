import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * One dependency `GET /health/ready` checks. Implementations must answer from state they already
 * hold (no network call per probe): probes come every few seconds from every orchestrator replica.
 */
export interface ReadinessIndicator {
  check(): HealthIndicatorResult | Promise<HealthIndicatorResult>;
}
