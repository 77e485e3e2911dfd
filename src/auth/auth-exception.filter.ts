import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { recordAuthFailure } from './auth-failures.js';
import { AUTH_SETTINGS } from './auth.constants.js';
import { bearerChallenge } from './core/challenge.js';
import { AuthError, JwksUnavailableError } from './core/errors.js';
import type { AuthSettings } from './core/options.js';

/** The JSON body of every auth failure. */
export interface AuthErrorBody {
  statusCode: number;
  error: string;
  error_description: string;
}

/**
 * Writes every auth failure, on Express or Fastify: the status, an RFC 6750 §3 `WWW-Authenticate`
 * challenge (or `Retry-After` for 503) and a small JSON body. The detail goes to the log, never to the
 * client: the failure is recorded on the request (`authFailureOf`) for the app's one request log line.
 */
@Catch(AuthError)
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(error: AuthError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const response: unknown = http.getResponse();
    // No log line here: a flood of bad tokens must cost no more log than any flood, so the detail
    // rides on the request's one log line; outages are logged once where they are seen.
    recordAuthFailure(http.getRequest<object>(), error);
    if (error instanceof JwksUnavailableError) {
      httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSec));
    }
    const challenge = bearerChallenge(
      error,
      this.settings.realm,
      this.settings.resourceMetadataUrl,
    );
    if (challenge !== undefined) httpAdapter.setHeader(response, 'WWW-Authenticate', challenge);
    httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    const body: AuthErrorBody = {
      statusCode: error.status,
      error: error.code,
      error_description: error.description,
    };
    httpAdapter.reply(response, body, error.status);
  }
}
