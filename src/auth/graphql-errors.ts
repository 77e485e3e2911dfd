import { bearerChallenge } from './core/challenge.js';
import { retryAfterSecOf, type AuthError, type AuthErrorCode } from './core/errors.js';

/** The `extensions` of the GraphQL error that answers an auth failure. */
export interface AuthErrorExtensions {
  /** The code an HTTP answer carries as `error` (RFC 6750 §3.1 for the first three). */
  code: AuthErrorCode;
  /** The HTTP status the same failure is answered with on a REST route. */
  status: 401 | 403 | 429 | 503;
  /** The `WWW-Authenticate` value the REST route would send (RFC 6750 §3); on 401 and 403 only. */
  challenge?: string;
  /** Seconds to wait before retrying; on 429 and 503 only (the REST route's `Retry-After`). */
  retryAfterSec?: number;
}

/**
 * An auth failure in the shape GraphQL servers print. A plain `Error` with `extensions`, not a
 * `GraphQLError`: graphql-js (16 and 17) wraps whatever a resolver throws in a located `GraphQLError`
 * and copies the thrown error's `extensions` (GraphQLError's constructor, `originalError.extensions`),
 * so Apollo and Mercurius both print them, and this package needs no `graphql` import (an optional
 * peer dependency) to build one.
 */
export class GraphqlAuthError extends Error {
  constructor(
    message: string,
    /** What the client reads: the code, the status and the challenge; never the token. */
    readonly extensions: AuthErrorExtensions,
  ) {
    // No stack frames: Apollo sends `extensions.stacktrace` (the thrown error's stack) whenever
    // `includeStacktraceInErrorResponses` is on, its default outside production and test; an
    // expected answer to bad input must not describe the server's code. Its stack is this one line.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'GraphqlAuthError';
  }
}

/**
 * The GraphQL error answering `error`: its safe description as message, its code, status and
 * challenge (the same as on HTTP, `resource_metadata` included when a resource identifier is set).
 */
export function graphqlErrorOf(
  error: AuthError,
  realm: string,
  resourceMetadataUrl?: string,
): GraphqlAuthError {
  const extensions: AuthErrorExtensions = { code: error.code, status: error.status };
  const challenge = bearerChallenge(error, realm, resourceMetadataUrl);
  if (challenge !== undefined) extensions.challenge = challenge;
  const retryAfterSec = retryAfterSecOf(error);
  if (retryAfterSec !== undefined) extensions.retryAfterSec = retryAfterSec;
  return new GraphqlAuthError(error.description, extensions);
}
