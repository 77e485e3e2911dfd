import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import {
  INVALID_TOKEN_REASONS,
  invalidTokenReason,
  type AuthError,
  type AuthObserver,
} from '../auth/index.js';

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
 * Also the {@link AuthObserver} that `AuthModule` reports key-set fetches and cache lookups to.
 */
@Injectable()
export class MetricsService implements AuthObserver {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly authRequests = new Counter({
    name: 'auth_requests_total',
    help: 'Requests to guarded routes by outcome: result is ok or the error code; reason (invalid_token only) the failed check.',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });

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

  private readonly cacheLookups = new Counter({
    name: 'auth_token_cache_lookups_total',
    help: 'Lookups in the verified-token cache: hit (signature check skipped) or miss.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** Label children by "method route status", so that a request costs one Map lookup. */
  private readonly durationByKey = new Map<
    string,
    Histogram.Internal<'method' | 'route' | 'status_code'>
  >();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every series that can exist, at zero, so that dashboards and rate() see them from the start.
    for (const result of AUTH_RESULTS) {
      if (result === 'invalid_token') {
        for (const reason of INVALID_TOKEN_REASONS) this.authRequests.inc({ result, reason }, 0);
      } else {
        this.authRequests.inc({ result, reason: '' }, 0);
      }
    }
    for (const outcome of ['ok', 'error']) this.jwksFetches.inc({ outcome }, 0);
    for (const result of ['hit', 'miss']) this.cacheLookups.inc({ result }, 0);
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
    const status = statusCode >= 100 && statusCode <= 599 ? String(statusCode) : 'other';
    const verb = METHODS.has(method) ? method : 'other';
    const key = `${verb} ${route} ${status}`;
    let child = this.durationByKey.get(key);
    if (child === undefined) {
      child = this.requestDuration.labels(verb, route, status);
      this.durationByKey.set(key, child);
    }
    child.observe(durationMs / 1000);
    if (authFailure !== undefined) {
      this.authRequests.inc({
        result: authFailure.code,
        reason: invalidTokenReason(authFailure) ?? '',
      });
    } else if (authenticated) {
      this.authRequests.inc({ result: 'ok', reason: '' });
    }
  }

  jwksFetch(outcome: 'ok' | 'error', durationMs: number): void {
    this.jwksFetches.inc({ outcome });
    this.jwksFetchDuration.observe({ outcome }, durationMs / 1000);
  }

  cacheLookup(hit: boolean): void {
    this.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }
}
