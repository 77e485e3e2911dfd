import { AuthError, InsufficientScopeError, MissingTokenError } from './errors.js';

/** RFC 6750 §3: quoted-string values may hold only %x20-21 / %x23-5B / %x5D-7E. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/**
 * RFC 9110 §5.6.4 quoted-string for a URL: `"` and `\` escaped as quoted-pairs rather than dropped,
 * so a client reads back the exact URL; anything else outside qdtext (controls, non-ASCII) cannot
 * be in a serialised URL and is dropped, so no header can be injected.
 */
function quotedUrl(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds the `WWW-Authenticate` value for an auth failure (RFC 6750 §3), or `undefined` when the
 * failure is not a bearer-token problem (an unavailable key set is answered with 503, a throttled
 * client with 429, and neither with a challenge).
 * With `resourceMetadataUrl`, every challenge names it in `resource_metadata` (RFC 9728 §5.1), so
 * a client learns where to get a token from the refusal itself.
 */
export function bearerChallenge(
  error: AuthError,
  realm: string,
  resourceMetadataUrl?: string,
): string | undefined {
  if (error.status !== 401 && error.status !== 403) return undefined;
  const params = [`realm=${quoted(realm)}`];
  // RFC 6750 §3.1: a request with no authentication information gets a challenge without an error code.
  if (!(error instanceof MissingTokenError)) {
    params.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.description)}`);
  }
  if (error instanceof InsufficientScopeError) {
    params.push(`scope=${quoted(error.requiredScopes.join(' '))}`);
  }
  if (resourceMetadataUrl !== undefined) {
    params.push(`resource_metadata=${quotedUrl(resourceMetadataUrl)}`);
  }
  return `Bearer ${params.join(', ')}`;
}
