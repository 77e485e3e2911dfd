import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UsersUnavailableError } from './users.errors.js';

/** Answers {@link UsersUnavailableError} with 503, `Retry-After` and the same JSON shape as auth failures. */
@Catch(UsersUnavailableError)
export class UsersUnavailableFilter implements ExceptionFilter<UsersUnavailableError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: UsersUnavailableError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSec));
    httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    httpAdapter.reply(
      response,
      {
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'the user store cannot be reached; retry later',
      },
      503,
    );
  }
}
