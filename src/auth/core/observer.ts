import type { AuthError } from './errors.js';

/**
 * What the auth layer reports for metrics, without depending on a metrics library: the app passes
 * an implementation through the `AUTH_OBSERVER` injection token; the default does nothing. Every
 * call is synchronous and must be cheap: it runs on the request path.
 */
export interface AuthObserver {
  /** A discovery-and-JWKS fetch ended, after `durationMs` milliseconds. */
  jwksFetch(outcome: 'ok' | 'error', durationMs: number): void;
  /** The verified-token cache was asked for a token: `true` when it answered. */
  cacheLookup(hit: boolean): void;
}

/** The observer used when the app provides none. */
export const NOOP_AUTH_OBSERVER: AuthObserver = {
  jwksFetch: () => undefined,
  cacheLookup: () => undefined,
};

/** Why a token was refused, in words from a fixed list: safe as a metric label and a log field. */
export const INVALID_TOKEN_REASONS = [
  'malformed',
  'algorithm',
  'type',
  'crit',
  'kid',
  'unknown_kid',
  'key_mismatch',
  'signature',
  'issuer',
  'audience',
  'expired',
  'not_yet_valid',
  'claims',
  'other',
] as const;

/** One of {@link INVALID_TOKEN_REASONS}. */
export type InvalidTokenReason = (typeof INVALID_TOKEN_REASONS)[number];

/** Client descriptions (fixed strings, see `errors.ts`) to reasons, first match wins. */
const REASON_BY_DESCRIPTION: readonly (readonly [RegExp, InvalidTokenReason])[] = [
  [/^token expired/, 'expired'],
  [/^token not yet valid/, 'not_yet_valid'],
  [/^issuer not accepted/, 'issuer'],
  [/^audience not accepted/, 'audience'],
  [/^signature verification failed/, 'signature'],
  [/^signing algorithm not accepted/, 'algorithm'],
  [/^signing key not found/, 'unknown_kid'],
  [/^signing key does not fit/, 'key_mismatch'],
  [/^token header has no valid key id/, 'kid'],
  [/^token type not accepted/, 'type'],
  [/critical header/, 'crit'],
  [/^malformed token/, 'malformed'],
  [/^token has (no|an invalid)/, 'claims'],
];

/** The bounded reason of an `invalid_token` failure; `undefined` for other codes. */
export function invalidTokenReason(error: AuthError): InvalidTokenReason | undefined {
  if (error.code !== 'invalid_token') return undefined;
  for (const [pattern, reason] of REASON_BY_DESCRIPTION) {
    if (pattern.test(error.description)) return reason;
  }
  return 'other';
}
