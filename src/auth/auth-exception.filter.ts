import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { recordAuthFailure } from './auth-failures.js';
import { AUTH_SETTINGS } from './auth.constants.js';
import { bearerChallenge } from './core/challenge.js';
import { AuthError, retryAfterSecOf, TooManyFailuresError } from './core/errors.js';
import type { AuthSettings } from './core/options.js';
import { graphqlCarrierOf } from './graphql-carrier.js';
import { graphqlErrorOf } from './graphql-errors.js';

/** The JSON body of every auth failure. */
export interface AuthErrorBody {
  statusCode: number;
  error: string;
  error_description: string;
}

/** The body every transport sends for `error`: its HTTP status, RFC 6750 code and safe description. */
export function authErrorBody(error: AuthError): AuthErrorBody {
  return { statusCode: error.status, error: error.code, error_description: error.description };
}

/**
 * What a microservice client receives for an auth failure: what `new RpcException(body)` would send
 * through Nest's RPC exception filter (`getError()`, an object, as is), plus Nest's usual `status` and
 * `message`. Built here rather than as an `RpcException`, which would make `@nestjs/microservices` a
 * dependency of every HTTP-only user of this module.
 */
export interface RpcAuthError extends AuthErrorBody {
  status: 'error';
  message: string;
}

/** The caller's `send()` observable errors with a {@link RpcAuthError}. */
function failRpc(error: AuthError): Observable<never> {
  const rpcError: RpcAuthError = {
    status: 'error',
    message: error.description,
    ...authErrorBody(error),
  };
  return throwError(() => rpcError);
}

/** A socket.io socket, or a `ws` WebSocket, as far as an error event needs. */
interface WsClient {
  emit?: (event: string, data: unknown) => unknown;
  send?: (data: string) => unknown;
}

/** The event a WebSocket client receives an auth failure on: Nest's own `exception` event. */
export const WS_EXCEPTION_EVENT = 'exception';

/**
 * Writes every auth failure, per transport. HTTP (Express or Fastify): the status, an RFC 6750 §3
 * `WWW-Authenticate` challenge (or `Retry-After` for 429 and 503) and a small JSON body. WebSocket: an
 * `exception` event with the same body. Microservices: an error with the same fields (see
 * {@link RpcAuthError}). GraphQL: rethrown as a `GraphqlAuthError` with the same code, status and
 * challenge. The detail goes to the log, never to the client: on HTTP the failure is recorded on the
 * request (`authFailureOf`) for the app's one request log line.
 */
@Catch(AuthError)
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(error: AuthError, host: ArgumentsHost): void | Observable<never> {
    switch (host.getType<string>()) {
      case 'http':
        return this.replyHttp(error, host);
      case 'ws':
        return this.emitWs(error, host);
      case 'rpc':
        return failRpc(error);
      case 'graphql':
        // A resolver's failure is answered by the GraphQL server in its `errors`, not by writing the
        // HTTP response (there may be none: subscriptions): rethrow it in the shape GraphQL prints.
        return this.rethrowForGraphql(error, host);
      default:
        // A transport this filter cannot write to: Nest's own handling of that transport answers.
        throw error;
    }
  }

  private replyHttp(error: AuthError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const request = host.getArgByIndex<object>(0);
    const response = host.getArgByIndex<unknown>(1);
    // No log line here: a flood of bad tokens must cost no more log than any flood, so the detail
    // rides on the request's one log line; outages are logged once where they are seen.
    recordAuthFailure(request, error);
    const retryAfterSec = retryAfterSecOf(error);
    if (retryAfterSec !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(retryAfterSec));
    }
    // A throttled client's keep-alive connection ends with the 429, so that a flood of requests
    // pays a new connection each (RFC 9110 §9.6 / RFC 9112 §9.6: the server may close at any time).
    if (error instanceof TooManyFailuresError)
      httpAdapter.setHeader(response, 'Connection', 'close');
    const challenge = bearerChallenge(
      error,
      this.settings.realm,
      this.settings.resourceMetadataUrl,
    );
    if (challenge !== undefined) httpAdapter.setHeader(response, 'WWW-Authenticate', challenge);
    httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    httpAdapter.reply(response, authErrorBody(error), error.status);
  }

  /** The refused message's client gets an `exception` event (socket.io `emit`, or a `ws` frame). */
  private emitWs(error: AuthError, host: ArgumentsHost): void {
    const client = host.getArgByIndex<WsClient | undefined>(0);
    const body = authErrorBody(error);
    if (typeof client?.emit === 'function') client.emit(WS_EXCEPTION_EVENT, body);
    else if (typeof client?.send === 'function') {
      client.send(JSON.stringify({ event: WS_EXCEPTION_EVENT, data: body }));
    }
  }

  private rethrowForGraphql(error: AuthError, host: ArgumentsHost): never {
    let carrier: object | undefined;
    try {
      carrier = graphqlCarrierOf(host);
    } catch {
      // the failure was reading the token itself: nothing to note it on
    }
    // Over HTTP the carrier is the request: the request log line names the failure, as on REST.
    if (carrier !== undefined) recordAuthFailure(carrier, error);
    throw graphqlErrorOf(error, this.settings.realm, this.settings.resourceMetadataUrl);
  }
}

/**
 * {@link AuthExceptionFilter}'s microservice case alone, for `AuthModule` to bind to each message
 * handler (see `RpcAuthBinding`): a connected microservice without `inheritAppConfig` gets no global
 * filter. It needs no provider, so one instance serves every app of the process.
 */
@Catch(AuthError)
export class RpcAuthExceptionFilter implements ExceptionFilter<AuthError> {
  catch(error: AuthError, host: ArgumentsHost): Observable<never> {
    if (host.getType<string>() === 'rpc') return failRpc(error);
    throw error;
  }
}
