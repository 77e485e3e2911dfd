import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { KEY_PROVIDER, type JwksKeyProvider, type TrustedIssuers } from '../auth/index.js';
import type { ReadinessIndicator } from './readiness-indicator.js';

/**
 * Whether tokens can be verified now: `up` while the key provider holds usable keys (or has not
 * been asked for them yet), `down` when it holds none and its last fetch failed. Reads the key
 * provider's state; never fetches (the provider's own background refresh retries).
 */
@Injectable()
export class SigningKeysIndicator implements ReadinessIndicator {
  constructor(
    @Inject(KEY_PROVIDER)
    private readonly keys: Pick<JwksKeyProvider, 'status'> &
      Partial<Pick<TrustedIssuers, 'statuses'>>,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(): HealthIndicatorResult {
    const status = this.keys.status();
    const session = this.indicator.check('signing_keys');
    const data = {
      keys: status.keyCount,
      ageSec: status.ageMs === undefined ? null : Math.round(status.ageMs / 1000),
      fresh: status.fresh,
      ...this.eachIssuer(),
    };
    if (status.usable) return session.up(data);
    if (!status.fetched) {
      // No fetch has ended yet: the start-up warm-up is in flight, or keys are fetched on the first token.
      return status.fetching
        ? session.down({ ...data, message: 'the first key set fetch is in flight' })
        : session.up({ ...data, message: 'keys are fetched with the first token' });
    }
    return session.down({ ...data, message: status.lastError ?? 'no usable signing key' });
  }

  /**
   * With several trusted issuers, each one's key set by issuer URL: up while any issuer's keys are
   * usable (one identity provider's outage must not take the other issuers' tokens out of rotation),
   * and this says which one is failing.
   */
  private eachIssuer(): { issuers?: Record<string, object> } {
    const statuses = this.keys.statuses?.() ?? [];
    if (statuses.length < 2) return {};
    return {
      issuers: Object.fromEntries(
        statuses.map((s) => [
          s.issuer,
          {
            usable: s.usable,
            keys: s.keyCount,
            fresh: s.fresh,
            ...(s.lastError === undefined ? {} : { error: s.lastError }),
          },
        ]),
      ),
    };
  }
}
