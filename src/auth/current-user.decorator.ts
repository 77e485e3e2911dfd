import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { authCarrierOf } from './auth-carrier.js';
import type { Principal } from './core/claims.js';

/**
 * The verified caller ({@link Principal}) of a handler guarded by `JwtAuthGuard` (or the global
 * guard), on HTTP, WebSocket (socket.io) and microservice handlers alike.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    authCarrierOf(context).user as Principal | undefined,
);
