/** Stable machine-readable codes of every auth failure; the first three are RFC 6750 §3.1 error codes. */
export type AuthErrorCode =
  | 'unauthorized'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'too_many_attempts'
  | 'temporarily_unavailable';

/** Base class of every failure the auth layer reports to a client. */
export abstract class AuthError extends Error {
  /** Stable code, written as the `error` of the response body. */
  abstract readonly code: AuthErrorCode;
  /** HTTP status the failure maps to. */
  abstract readonly status: 401 | 403 | 429 | 503;

  /**
   * @param description safe for the client: names the failed check in general words, never echoes input.
   * @param detail for the server log only (which claim, which kid); never sent to the client.
   */
  constructor(description: string, options?: { cause?: unknown; detail?: string }) {
    // These are expected answers to bad input, answered and logged without a stack, and a stack
    // through Nest's call chain was the largest cost of a 401 under a flood (npm run bench, CPU profile).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.description = description;
    this.detail = options?.detail;
  }

  /** Safe for the client: names the failed check in general words, never echoes input. */
  readonly description: string;

  /** Server-side detail for the log; never sent to the client. */
  readonly detail: string | undefined;
}

/** The request carries no bearer credentials at all (RFC 6750 §3.1: the challenge names no error). */
export class MissingTokenError extends AuthError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

/** The Authorization header is present but malformed (RFC 6750 §3.1 `invalid_request`). */
export class InvalidRequestError extends AuthError {
  readonly code = 'invalid_request';
  readonly status = 401;
}

/** The token is malformed, expired, not signed by the issuer, or meant for someone else (RFC 6750 §3.1). */
export class InvalidTokenError extends AuthError {
  readonly code = 'invalid_token';
  readonly status = 401;
}

/** The token is valid but does not grant the scopes the route requires (RFC 6750 §3.1). */
export class InsufficientScopeError extends AuthError {
  readonly code = 'insufficient_scope';
  readonly status = 403;

  constructor(
    /** The scopes the route requires, for the challenge's `scope` attribute. */
    readonly requiredScopes: readonly string[],
    description: string,
  ) {
    super(description);
  }
}

/** What a client is told when the issuer's keys cannot be had. */
export const KEYS_UNAVAILABLE = "the identity provider's signing keys are unavailable; retry later";

/** The issuer's keys could not be had and no cached key fits the token: the server's fault, not the client's. */
export class JwksUnavailableError extends AuthError {
  readonly code = 'temporarily_unavailable';
  readonly status = 503;

  constructor(
    description: string,
    options?: { cause?: unknown; detail?: string; retryAfterSec?: number },
  ) {
    super(description, options);
    this.retryAfterSec = options?.retryAfterSec ?? 5;
  }

  /** Seconds the client should wait before retrying (the `Retry-After` header). */
  readonly retryAfterSec: number;

  /** The same failure, answered again later with a new `Retry-After`. */
  retryAfter(retryAfterSec: number): JwksUnavailableError {
    return new JwksUnavailableError(this.description, {
      cause: this.cause,
      detail: this.detail,
      retryAfterSec,
    });
  }
}

/**
 * The client failed authentication too often (see `FailureThrottle`): answered 429 with
 * `Retry-After` before its token is looked at. The code is the one Auth0's own APIs answer for
 * their brute-force protection.
 */
export class TooManyFailuresError extends AuthError {
  readonly code = 'too_many_attempts';
  readonly status = 429;

  constructor(blockedMs: number) {
    super('too many failed authentication attempts from this client; retry later');
    this.retryAfterSec = Math.max(1, Math.ceil(blockedMs / 1000));
  }

  /** Seconds the client should wait before retrying (the `Retry-After` header). */
  readonly retryAfterSec: number;
}

/** Seconds a client should wait before retrying (its `Retry-After`), for the failures that have one. */
export function retryAfterSecOf(error: AuthError): number | undefined {
  return error instanceof JwksUnavailableError || error instanceof TooManyFailuresError
    ? error.retryAfterSec
    : undefined;
}

/**
 * The handler runs on a transport whose credentials the auth layer cannot read (an execution
 * context type it does not know, or a client without a handshake): refused like a request without
 * credentials, never let through.
 */
export class UnsupportedContextError extends MissingTokenError {}
