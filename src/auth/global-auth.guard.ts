import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { RoutePolicies } from './route-policy.js';

/**
 * The global guard (`APP_GUARD`) of `AuthModule.forRoot({ protectAllRoutes: true })`: every handler,
 * on every transport, needs a valid token and its `@Scopes()`, except those marked `@Public()`
 * (without `@Scopes`). Route guards named in `@UseGuards` still run and are then no-ops.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly tokenGuard: JwtAuthGuard,
    private readonly policies: RoutePolicies,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policies.of(context);
    return policy.open || this.tokenGuard.check(context, policy);
  }
}
