import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SCOPES_METADATA } from './auth.constants.js';
import type { AuthRequest } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';
import { InsufficientScopeError, MissingTokenError } from './core/errors.js';
import { hasScopes } from './core/scopes.js';
import type { ScopeRequirement } from './scopes.decorator.js';

/** Enforces `@Scopes()` against the principal that {@link JwtAuthGuard} put on the request; runs after it. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<ScopeRequirement | undefined>(
      SCOPES_METADATA,
      [context.getHandler(), context.getClass()],
    );
    if (required === undefined) return true;
    const user = context.switchToHttp().getRequest<AuthRequest>().user as Principal | undefined;
    if (user === undefined) {
      // ScopesGuard without JwtAuthGuard before it: refuse rather than let the route open.
      throw new MissingTokenError('no access token: send an Authorization: Bearer <token> header');
    }
    if (!hasScopes(user.scopes, required.scopes, required.match)) {
      const list = required.scopes.join(' ');
      throw new InsufficientScopeError(
        required.scopes,
        required.match === 'all'
          ? `token lacks the required scope: ${list}`
          : `token lacks every one of the accepted scopes: ${list}`,
      );
    }
    return true;
  }
}
