import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { authCarrierOf } from './auth-carrier.js';
import type { Principal } from './core/claims.js';
import { InsufficientScopeError, MissingTokenError } from './core/errors.js';
import { hasScopes } from './core/scopes.js';
import { scopeRequirementOf, type ScopeRequirement } from './scopes.decorator.js';

/** Enforces `@Scopes()` against the principal that {@link JwtAuthGuard} put on the request; runs after it. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  /**
   * Each route's requirement, read from its metadata once (the Reflect lookups cost more than the
   * check). Keyed by class, then handler: an inherited handler serves classes with different `@Scopes`.
   */
  private readonly requirements = new WeakMap<object, WeakMap<object, ScopeRequirement | null>>();

  canActivate(context: ExecutionContext): boolean {
    const required = this.requirementOf(context);
    if (required === null) return true;
    const user = authCarrierOf(context).user as Principal | undefined;
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

  private requirementOf(context: ExecutionContext): ScopeRequirement | null {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.requirements.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.requirements.set(controller, byHandler);
    }
    let required = byHandler.get(handler);
    if (required === undefined) {
      required = scopeRequirementOf(this.reflector, handler, controller);
      byHandler.set(handler, required);
    }
    return required;
  }
}
