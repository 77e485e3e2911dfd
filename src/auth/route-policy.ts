import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_METADATA } from './auth.constants.js';
import { scopeRequirementOf, type ScopeRequirement } from './scopes.decorator.js';

/** What the guards need to know about one handler, read from its metadata once. */
export interface RoutePolicy {
  /**
   * `@Public()` on the handler or its class, and no `@Scopes()`: a scope requirement is never
   * dropped by `@Public()`, so a public route with `@Scopes` still needs a token (fail closed).
   */
  readonly open: boolean;
  /** The `@Scopes()` requirement, or `null`. */
  readonly scopes: ScopeRequirement | null;
}

/** `@Public()` on a handler or its controller (the handler's own metadata wins). */
export function isPublicRoute(
  reflector: Reflector,
  handler: ReturnType<ExecutionContext['getHandler']>,
  controller: ReturnType<ExecutionContext['getClass']>,
): boolean {
  return (
    reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, [handler, controller]) ===
    true
  );
}

/**
 * Each handler's {@link RoutePolicy}, read from its metadata once (the Reflect lookups cost more than
 * the checks). Keyed by class, then handler: an inherited handler serves classes with different
 * `@Scopes` or `@Public`.
 */
@Injectable()
export class RoutePolicies {
  constructor(private readonly reflector: Reflector) {}

  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  /** The policy of the handler `context` runs. */
  of(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.policies.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.policies.set(controller, byHandler);
    }
    let policy = byHandler.get(handler);
    if (policy === undefined) {
      const scopes = scopeRequirementOf(this.reflector, handler, controller);
      policy = {
        open: scopes === null && isPublicRoute(this.reflector, handler, controller),
        scopes,
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}
