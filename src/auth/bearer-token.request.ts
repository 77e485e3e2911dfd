import { extractBearerToken } from './core/bearer-token.js';

/** The part of an Express or Fastify request that auth reads. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Every header line as received, names and values alternating (Express: the request itself). */
  rawHeaders?: readonly string[];
  /** Fastify: Node's request, which holds {@link rawHeaders}. */
  raw?: { rawHeaders?: readonly string[]; socket?: { remoteAddress?: string } };
  /** Express and Fastify: the client's address, after the framework's trusted-proxy setting. */
  ip?: string;
  /** Node's request (a socket.io handshake): the connection's peer. */
  socket?: { remoteAddress?: string };
  user?: unknown;
}

/**
 * The client's address: the framework's `ip` (which honours its trusted-proxy setting, and never a
 * client's `X-Forwarded-For` otherwise), else the connection's peer; `undefined` where the
 * transport has none (a microservice message).
 */
export function clientAddressOf(request: AuthRequest): string | undefined {
  if (typeof request.ip === 'string' && request.ip !== '') return request.ip;
  return (request.socket ?? request.raw?.socket)?.remoteAddress;
}

const AUTHORIZATION = 'authorization';

/**
 * The Authorization header, or every value when there are several. Node keeps only the first of
 * repeated Authorization headers in `headers`, so `[valid, garbage]` would pass here while a proxy
 * that reads the last one refuses it; RFC 9110 §5.3 allows a field to repeat only when its values
 * are a list, which credentials are not (RFC 6750 §2.1), so the raw lines are counted.
 */
function authorizationOf(request: AuthRequest): string | string[] | undefined {
  const value = request.headers[AUTHORIZATION];
  if (value === undefined) return undefined;
  const raw = request.rawHeaders ?? request.raw?.rawHeaders;
  if (raw === undefined) return value;
  const values = authorizationLines(raw);
  return values !== undefined && values.length > 1 ? values : value;
}

/** The value of every Authorization line among raw header lines (names and values alternating), or `undefined` for none. */
export function authorizationLines(raw: readonly string[]): string[] | undefined {
  let values: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION) {
      (values ??= []).push(raw[i + 1] ?? '');
    }
  }
  return values;
}

/** Extracts the request's bearer token strictly; throws an `AuthError` when there is none or it is malformed. */
export function takeBearerToken(request: AuthRequest): string {
  return extractBearerToken(authorizationOf(request));
}

/**
 * passport-jwt's `jwtFromRequest`: the same strict extraction, yielding `null` rather than throwing
 * inside Passport (the guard has already answered malformed headers with their precise error).
 */
export function bearerTokenOf(request: AuthRequest): string | null {
  try {
    return takeBearerToken(request);
  } catch {
    return null;
  }
}
