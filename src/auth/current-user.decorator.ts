import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthRequest } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';

/** The verified caller ({@link Principal}) of a route guarded by `JwtAuthGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<AuthRequest>().user as Principal | undefined,
);
