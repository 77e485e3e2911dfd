/** How a list of required scopes is matched: every one of them, or at least one. */
export type ScopeMatch = 'all' | 'any';

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value)) {
    return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  }
  return [];
}

/**
 * The scopes a token grants: the union of `scope` (space-delimited, RFC 8693 §4.2 / RFC 9068 §2.2.3),
 * `scp` (array or string, as Azure AD and Okta send it) and `permissions` (Auth0 RBAC).
 */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): string[] {
  return [
    ...new Set([
      ...stringsOf(claims['scope']),
      ...stringsOf(claims['scp']),
      ...(Array.isArray(claims['permissions']) ? stringsOf(claims['permissions']) : []),
    ]),
  ];
}

/** Whether `granted` satisfies `required`, matching whole scope strings exactly (no prefixes, no substrings). */
export function hasScopes(
  granted: readonly string[],
  required: readonly string[],
  match: ScopeMatch,
): boolean {
  if (required.length === 0) return true;
  // Linear search, not a Set: both lists are a handful of strings, and this runs on every request.
  const has = (scope: string) => granted.includes(scope);
  // Anything but an explicit 'any' gets the stricter rule.
  return match === 'any' ? required.some(has) : required.every(has);
}
