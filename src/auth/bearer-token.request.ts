import { extractBearerToken } from './core/bearer-token.js';

/** The part of an Express or Fastify request that auth reads. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: unknown;
}

const BEARER_TOKEN = Symbol('auth:bearer-token');
type WithToken = AuthRequest & { [BEARER_TOKEN]?: string };

/** Extracts the request's bearer token strictly (throws an `AuthError`) and remembers it for Passport. */
export function takeBearerToken(request: AuthRequest): string {
  const token = extractBearerToken(request.headers['authorization']);
  (request as WithToken)[BEARER_TOKEN] = token;
  return token;
}

/**
 * passport-jwt's `jwtFromRequest`: the token the guard already extracted, or (for a strategy used
 * without our guard) a strict extraction that yields `null` rather than throwing inside Passport.
 */
export function bearerTokenOf(request: AuthRequest): string | null {
  const taken = (request as WithToken)[BEARER_TOKEN];
  if (taken !== undefined) return taken;
  try {
    return extractBearerToken(request.headers['authorization']);
  } catch {
    return null;
  }
}
