import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { authFailureOf, claimedIssuerOf, invalidTokenReason } from '../auth/index.js';
import { observabilityConfig, type ObservabilityEnv } from '../config/index.js';
import { addRequestHooks, type FinishedRequest } from '../request-hooks/index.js';
import { LOGGERS } from './logging.constants.js';
import { RepeatedFailures } from './repeated-failures.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
import { requestLine, type RequestLineFields } from './request-line.js';
import type { AppLoggers } from './root-logger.js';

/**
 * One log line per request, written when the response is sent: request id, method, route pattern,
 * status, time, and for a request the auth layer refused, why (`auth.error`, `auth.reason`,
 * `auth.detail`: which claim, which kid, else the client's description; `auth.iss`, the issuer
 * the token claims). Never the token, never a header. Server hooks rather than a middleware: they
 * see the route pattern and the guards' outcome, and cost no per-request child logger. The line is
 * serialised here, as the `requests` logger would ({@link requestLine}), at its level. Repeats of
 * the same refusal from one client within a second are folded into one line with their count
 * ({@link RepeatedFailures}), so that a flood of bad tokens costs bounded log volume.
 */
@Injectable()
export class RequestLogHooks implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGERS) loggers: AppLoggers,
    @Inject(observabilityConfig.KEY) private readonly env: ObservabilityEnv,
  ) {
    this.logger = loggers.requests;
    this.destination = loggers.destination;
  }

  private readonly logger: AppLoggers['requests'];
  private readonly destination: AppLoggers['destination'];
  private readonly repeated = new RepeatedFailures((line) =>
    this.logger.warn(
      {
        client: line.client,
        status: line.status,
        auth: { error: line.error, reason: line.reason },
        repeated: line.repeated,
        windowMs: line.windowMs,
      },
      'repeated auth failures',
    ),
  );

  onModuleInit(): void {
    if (!this.env.logRequests) return;
    addRequestHooks(this.adapterHost, {
      start: (headers, setHeader) =>
        setHeader(REQUEST_ID_HEADER, requestIdFrom(headers[REQUEST_ID_HEADER])),
      done: (finished) => this.write(finished),
    });
  }

  onModuleDestroy(): void {
    this.repeated.flush();
  }

  private write(finished: FinishedRequest): void {
    const failure = authFailureOf(finished.request);
    if (failure !== undefined) {
      const request = finished.request as { ip?: unknown };
      const kind = {
        client: typeof request.ip === 'string' ? request.ip : 'unknown',
        status: finished.statusCode,
        error: failure.code,
        reason: invalidTokenReason(failure),
      };
      if (!this.repeated.admit(kind)) return;
    }
    const level = finished.statusCode >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    // Set by the server when it refused the request or the client aborted it (its own line is then off).
    const clientError = (finished.request as { clientError?: unknown }).clientError;
    const fields: RequestLineFields = {
      reqId: finished.responseHeader(REQUEST_ID_HEADER),
      method: finished.method,
      route: finished.route,
      status: finished.statusCode,
      ms: Math.round(finished.durationMs * 100) / 100,
      clientError: typeof clientError === 'string' ? clientError : undefined,
    };
    if (failure !== undefined) {
      fields.auth = {
        error: failure.code,
        reason: invalidTokenReason(failure),
        detail: failure.detail ?? failure.description,
        iss: claimedIssuerOf(finished.request as Parameters<typeof claimedIssuerOf>[0]),
      };
    }
    this.destination.write(requestLine(level, fields, Date.now()));
  }
}
