import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { PROTECT_ALL_ROUTES } from './auth.constants.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { isPublicRoute } from './route-policy.js';
import { scopeRequirementOf, type ScopeRequirement } from './scopes.decorator.js';
import { ScopesGuard } from './scopes.guard.js';

/** A route handler, as `ExecutionContext.getHandler()` gives it. */
export type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
/** A controller class, as `ExecutionContext.getClass()` gives it. */
export type RouteController = ReturnType<ExecutionContext['getClass']>;

/** What a route asks of a caller: a bearer token at all, and which scopes. */
export interface RouteRequirement {
  /**
   * The route needs a token: it names {@link JwtAuthGuard} or {@link ScopesGuard} in `@UseGuards`, or
   * all routes are protected (`protectAllRoutes`) and it is not `@Public()` without `@Scopes()`.
   */
  token: boolean;
  scopes: ScopeRequirement | null;
}

/**
 * Reads a route's auth requirement from the same metadata the guards act on, for documentation;
 * `protectAllRoutes` as `AuthModule` was registered with (see {@link protectsAllRoutes}).
 */
export function routeRequirementOf(
  reflector: Reflector,
  handler: RouteHandler,
  controller: RouteController,
  protectAllRoutes = false,
): RouteRequirement {
  const guards = [
    ...(reflector.get<unknown[] | undefined>(GUARDS_METADATA, controller) ?? []),
    ...(reflector.get<unknown[] | undefined>(GUARDS_METADATA, handler) ?? []),
  ];
  const token = guards.some(
    (guard) =>
      guard === JwtAuthGuard ||
      guard === ScopesGuard ||
      guard instanceof JwtAuthGuard ||
      guard instanceof ScopesGuard,
  );
  const scopes = scopeRequirementOf(reflector, handler, controller);
  // The same rule as the global guard's (RoutePolicies): @Public() never drops a @Scopes requirement.
  const closedByDefault =
    protectAllRoutes && (scopes !== null || !isPublicRoute(reflector, handler, controller));
  return { token: token || closedByDefault, scopes };
}

/**
 * Whether the app's `AuthModule` was registered with `protectAllRoutes: true`; `false` when the app
 * has no `AuthModule`.
 */
export function protectsAllRoutes(app: {
  get(token: symbol, options: { strict: false }): unknown;
}): boolean {
  try {
    return app.get(PROTECT_ALL_ROUTES, { strict: false }) === true;
  } catch {
    return false;
  }
}
