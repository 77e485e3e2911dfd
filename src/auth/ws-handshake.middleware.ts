import { Injectable, Logger } from '@nestjs/common';
import { authErrorBody, type AuthErrorBody } from './auth-exception.filter.js';
import type { AuthRequest } from './bearer-token.request.js';
import { AuthError, MissingTokenError } from './core/errors.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

/** The error a socket.io middleware passes to `next()`: the client's `connect_error` carries `message` and `data`. */
export interface HandshakeError extends Error {
  data: AuthErrorBody;
}

function handshakeError(error: AuthError): HandshakeError {
  return Object.assign(new Error(error.description), { data: authErrorBody(error) });
}

/**
 * Refuses a socket.io connection without a valid token at the handshake, before any handler runs:
 * the client's `connect_error` carries the same body as an HTTP refusal (`data.error` is the RFC 6750
 * code). Register it in the gateway: `afterInit(server) { server.use(this.handshake.use); }`. The
 * principal is then `client.request.user`, and `@CurrentUser()` in message handlers.
 */
@Injectable()
export class WsHandshakeMiddleware {
  private readonly logger = new Logger('Auth');

  constructor(private readonly tokenGuard: JwtAuthGuard) {}

  /** The socket.io middleware, `(socket, next)`; bound, so it can be passed as is. */
  readonly use = (socket: { request?: AuthRequest }, next: (error?: Error) => void): void => {
    const request = socket.request;
    if (typeof request?.headers !== 'object') {
      next(handshakeError(new MissingTokenError('no access token: send an Authorization header')));
      return;
    }
    this.tokenGuard.authenticate(request).then(
      () => next(),
      (error: unknown) => {
        if (error instanceof AuthError) {
          next(handshakeError(error));
          return;
        }
        // Not an auth failure: a bug the operator must see; the client learns nothing of it.
        this.logger.error(error);
        next(new Error('internal error'));
      },
    );
  };
}
