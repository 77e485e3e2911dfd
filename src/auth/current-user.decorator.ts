import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { authCarrierOf } from './auth-carrier.js';
import type { Principal } from './core/claims.js';

/** The verified caller ({@link Principal}) of a route guarded by `JwtAuthGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    authCarrierOf(context).user as Principal | undefined,
);
