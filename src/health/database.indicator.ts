import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { UsersDatabaseHealth } from '../users/index.js';
import type { ReadinessIndicator } from './readiness-indicator.js';

/**
 * The user database's state, in the readiness body. It never makes the instance unready: while the
 * database is down, only `/api/me` (which needs the stored user) answers 503 and every other route
 * is served from the token alone, and every instance shares the database, so taking them all out of
 * the load balancer would turn a partial outage into a whole one. Reads state; never queries.
 */
@Injectable()
export class DatabaseIndicator implements ReadinessIndicator {
  constructor(
    private readonly database: UsersDatabaseHealth,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(): HealthIndicatorResult {
    const state = this.database.state();
    return this.indicator.check('database').up({
      reachable: state.status === 'up',
      driver: state.driver,
      since: state.since.toISOString(),
      ...(state.lastError === undefined ? {} : { lastError: state.lastError }),
    });
  }
}
