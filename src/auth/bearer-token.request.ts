import { extractBearerToken } from './core/bearer-token.js';

/** The part of an Express or Fastify request that auth reads. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: unknown;
}

/** Extracts the request's bearer token strictly; throws an `AuthError` when there is none or it is malformed. */
export function takeBearerToken(request: AuthRequest): string {
  return extractBearerToken(request.headers['authorization']);
}

/**
 * passport-jwt's `jwtFromRequest`: the same strict extraction, yielding `null` rather than throwing
 * inside Passport (the guard has already answered malformed headers with their precise error).
 */
export function bearerTokenOf(request: AuthRequest): string | null {
  try {
    return extractBearerToken(request.headers['authorization']);
  } catch {
    return null;
  }
}
