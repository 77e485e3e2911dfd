import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import {
  INVALID_TOKEN_REASONS,
  invalidTokenReason,
  type AuthError,
  type AuthObserver,
} from '../auth/index.js';
import {
  BoundCounter,
  BoundHistogram,
  type CounterSeries,
  type HistogramSeries,
} from './bound-metrics.js';

/** Every `result` of `auth_requests_total`: `ok` or an `AuthError` code. */
export const AUTH_RESULTS = [
  'ok',
  'unauthorized',
  'invalid_request',
  'invalid_token',
  'insufficient_scope',
  'too_many_attempts',
  'temporarily_unavailable',
] as const;

/** HTTP methods given their own label value; any other is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds; from a cache hit (well under a millisecond) to a JWKS fetch at its 5 s timeout. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The app's Prometheus metrics, in a registry of its own. Every label value comes from a fixed list
 * or from the app's own route table, never from request input, so a client cannot add a series.
 * Also the {@link AuthObserver} that `AuthModule` reports key-set fetches and cache lookups to. The
 * series a request moves are bound once each ({@link BoundHistogram}, {@link BoundCounter}), so
 * that recording a request looks no label up by hashing.
 */
@Injectable()
export class MetricsService implements AuthObserver {
  readonly registry = new Registry();

  private readonly requestDuration = new BoundHistogram(
    'http_request_duration_seconds',
    'Time from request to response, by method, route pattern and status code.',
    DURATION_BUCKETS,
    this.registry,
  );

  private readonly authRequests: BoundCounter<'result' | 'reason'> = new BoundCounter(
    new Counter({
      name: 'auth_requests_total',
      help: 'Requests to guarded routes by outcome: result is ok or the error code; reason (invalid_token only) the failed check.',
      labelNames: ['result', 'reason'] as const,
      registers: [this.registry],
      collect: () => this.authRequests.flush(),
    }),
  );

  private readonly jwksFetches = new Counter({
    name: 'auth_jwks_fetches_total',
    help: "Fetches of the issuer's discovery document and key set, by outcome.",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly jwksFetchDuration = new Histogram({
    name: 'auth_jwks_fetch_duration_seconds',
    help: "Time a fetch of the issuer's discovery document and key set took, by outcome.",
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly cacheLookups: BoundCounter<'result'> = new BoundCounter(
    new Counter({
      name: 'auth_token_cache_lookups_total',
      help: 'Lookups in the verified-token cache: hit (signature check skipped) or miss.',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect: () => this.cacheLookups.flush(),
    }),
  );

  /** Duration series by route pattern, then method, then status code, bound on first use. */
  private readonly durations = new Map<string, Map<string, Map<number, HistogramSeries>>>();
  /** The same series by their labels: methods and statuses named `other` share theirs. */
  private readonly durationsByLabels = new Map<string, HistogramSeries>();
  /** `auth_requests_total` series by result, then reason (`''` for every result but invalid_token). */
  private readonly authOutcomes = new Map<
    string,
    Map<string, CounterSeries<'result' | 'reason'>>
  >();
  private readonly authOk: CounterSeries<'result' | 'reason'>;
  private readonly cacheHits: CounterSeries<'result'>;
  private readonly cacheMisses: CounterSeries<'result'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every series that can exist, at zero, so that dashboards and rate() see them from the start.
    for (const result of AUTH_RESULTS) {
      const reasons = result === 'invalid_token' ? INVALID_TOKEN_REASONS : [''];
      this.authOutcomes.set(
        result,
        new Map(reasons.map((reason) => [reason, this.authRequests.bind({ result, reason })])),
      );
    }
    this.authOk = this.authOutcomes.get('ok')!.get('')!;
    for (const outcome of ['ok', 'error']) this.jwksFetches.inc({ outcome }, 0);
    this.cacheHits = this.cacheLookups.bind({ result: 'hit' });
    this.cacheMisses = this.cacheLookups.bind({ result: 'miss' });
  }

  /** Records one finished request: `route` is the matched route pattern, `authFailure` the auth layer's refusal. */
  request(
    method: string,
    route: string,
    statusCode: number,
    durationMs: number,
    authenticated: boolean,
    authFailure: AuthError | undefined,
  ): void {
    this.durationSeries(method, route, statusCode).observe(durationMs / 1000);
    if (authFailure !== undefined) {
      const reason = invalidTokenReason(authFailure) ?? '';
      this.authOutcomes.get(authFailure.code)?.get(reason)?.inc();
    } else if (authenticated) {
      this.authOk.inc();
    }
  }

  jwksFetch(outcome: 'ok' | 'error', durationMs: number): void {
    this.jwksFetches.inc({ outcome });
    this.jwksFetchDuration.observe({ outcome }, durationMs / 1000);
  }

  cacheLookup(hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc();
  }

  /**
   * The duration series of a method, route pattern and status code. Keyed by the values as they
   * come (a method outside {@link METHODS} or a status outside 100-599 only names its series
   * `other`): the keys are bounded by the route table, the methods Node parses and the statuses
   * the app sends.
   */
  private durationSeries(method: string, route: string, statusCode: number): HistogramSeries {
    let byMethod = this.durations.get(route);
    if (byMethod === undefined) this.durations.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      const labels = {
        method: METHODS.has(method) ? method : 'other',
        route,
        status_code: statusCode >= 100 && statusCode <= 599 ? String(statusCode) : 'other',
      };
      const key = `${labels.method} ${route} ${labels.status_code}`;
      series = this.durationsByLabels.get(key) ?? this.requestDuration.bind(labels);
      this.durationsByLabels.set(key, series);
      byStatus.set(statusCode, series);
    }
    return series;
  }
}
