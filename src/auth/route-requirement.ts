import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { scopeRequirementOf, type ScopeRequirement } from './scopes.decorator.js';
import { ScopesGuard } from './scopes.guard.js';

/** A route handler, as `ExecutionContext.getHandler()` gives it. */
export type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
/** A controller class, as `ExecutionContext.getClass()` gives it. */
export type RouteController = ReturnType<ExecutionContext['getClass']>;

/** What a route asks of a caller: a bearer token at all, and which scopes. */
export interface RouteRequirement {
  /** The route runs {@link JwtAuthGuard} or {@link ScopesGuard} (declared with `@UseGuards`, not global guards). */
  token: boolean;
  scopes: ScopeRequirement | null;
}

/** Reads a route's auth requirement from the same metadata the guards act on, for documentation. */
export function routeRequirementOf(
  reflector: Reflector,
  handler: RouteHandler,
  controller: RouteController,
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
  return { token, scopes: scopeRequirementOf(reflector, handler, controller) };
}
