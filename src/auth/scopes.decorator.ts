import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { SCOPES_METADATA } from './auth.constants.js';
import type { ScopeMatch } from './core/scopes.js';

/** A route's scope requirement, as `@Scopes()` stores it. */
export interface ScopeRequirement {
  scopes: readonly string[];
  match: ScopeMatch;
}

function requirement(match: ScopeMatch, scopes: string[]) {
  if (
    scopes.length === 0 ||
    !scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  ) {
    // RFC 6749 §3.3 scope-token syntax; caught when the controller is loaded, not per request.
    throw new TypeError(`@Scopes() needs one or more scope tokens, got ${JSON.stringify(scopes)}`);
  }
  return SetMetadata<string, ScopeRequirement>(SCOPES_METADATA, { scopes, match });
}

/**
 * Requires the token to grant every one of these scopes; `@Scopes.any(...)` requires at least one.
 * Enforced by {@link ScopesGuard}; a guarded route without `@Scopes` accepts any valid token.
 */
export const Scopes = Object.assign((...scopes: string[]) => requirement('all', scopes), {
  /** Requires the token to grant at least one of these scopes. */
  any: (...scopes: string[]) => requirement('any', scopes),
});

/**
 * A route's `@Scopes()` requirement, as {@link ScopesGuard} enforces it and the API docs show it:
 * the handler's, else its controller's; `null` when neither has one.
 */
export function scopeRequirementOf(
  reflector: Reflector,
  handler: ReturnType<ExecutionContext['getHandler']>,
  controller: ReturnType<ExecutionContext['getClass']>,
): ScopeRequirement | null {
  return (
    reflector.getAllAndOverride<ScopeRequirement | undefined>(SCOPES_METADATA, [
      handler,
      controller,
    ]) ?? null
  );
}
