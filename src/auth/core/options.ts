import {
  DEFAULT_ALGORITHMS,
  SUPPORTED_ALGORITHMS,
  isSupportedAlgorithm,
  UNSUPPORTED_ALGORITHM_REASONS,
  type SignatureAlgorithm,
} from './algorithms.js';
import type { Dispatcher } from 'undici';
import { parseSecureUrl } from './http-url.js';
import type { FailureStore } from './failure-throttle.js';
import type { KeySetPolicy } from './key-provider.js';
import { MAX_RSA_BITS_LIMIT, MIN_RSA_BITS, RSA_PUBLIC_EXPONENTS } from './key-strength.js';
import {
  acceptedAudiences,
  protectedResourceMetadataUrl,
  resourceIdentifierProblem,
} from './resource.js';

/** One trusted issuer of {@link AuthOptions.issuers}: its own audiences, keys, algorithms and clock. */
export interface IssuerOptions {
  /** The issuer, exactly as its tokens' `iss`. https, or http on loopback only. */
  issuerUrl: string;
  /** The API identifier(s) this issuer's tokens must name in `aud`. */
  audience: string | readonly string[];
  /**
   * Where this issuer's JSON Web Key Set is.
   * @default the `jwks_uri` of the issuer's OpenID discovery document
   */
  jwksUri?: string;
  /**
   * This issuer's accepted signature algorithms.
   * @default AuthOptions.algorithms
   */
  algorithms?: readonly string[];
  /**
   * This issuer's allowed clock skew, in seconds.
   * @default AuthOptions.clockToleranceSec
   */
  clockToleranceSec?: number;
}

/** {@link IssuerOptions} checked, with every default filled in. */
export interface IssuerSettings {
  issuerUrl: string;
  audiences: readonly string[];
  jwksUri: string | undefined;
  algorithms: readonly SignatureAlgorithm[];
  clockToleranceSec: number;
}

/** {@link AuthOptions.failureThrottle}: how clients that keep failing authentication are slowed down. */
export interface FailureThrottleOptions {
  /** Failed tokens per client per window; the client's next requests get 429. 0 turns throttling off. */
  limit: number;
  /** The window, in seconds, counted from a client's first failure in it. */
  windowSec: number;
  /**
   * A Redis or Valkey server (`redis://` or `rediss://`) that holds the counts, so that every
   * instance using it sees every failure.
   * @default none: counts in this process's memory
   */
  redisUrl?: string;
  /**
   * Any other store of counts (instead of `redisUrl`).
   * @default none: counts in this process's memory
   */
  store?: FailureStore;
}

/** How to verify access tokens: the options another service passes to `AuthModule.forRoot`. */
export interface AuthOptions {
  /**
   * The issuer whose tokens are accepted, exactly as its tokens' `iss` (for Auth0,
   * `https://YOUR_TENANT.auth0.com/`). https, or http on loopback only. Required unless
   * {@link issuers} is given instead.
   */
  issuerUrl?: string;
  /** The API identifier, or several: a token's `aud` must contain one of them. Required with `issuerUrl`. */
  audience?: string | readonly string[];
  /**
   * Several trusted issuers instead of `issuerUrl`/`audience`/`jwksUri`, each with its own
   * audiences and key set (never pooled). A token's unverified `iss` only selects one of them; a
   * token naming any other issuer is refused before anything is fetched. `algorithms` and
   * `clockToleranceSec` here are the defaults of every issuer.
   */
  issuers?: readonly IssuerOptions[];
  /**
   * Where the issuer's JSON Web Key Set is.
   * @default the `jwks_uri` of the issuer's OpenID discovery document
   */
  jwksUri?: string;
  /**
   * Accepted signature algorithms; asymmetric only.
   * @default ['RS256']
   */
  algorithms?: readonly string[];
  /**
   * Allowed clock skew for `exp` and `nbf`, in seconds.
   * @default 60
   */
  clockToleranceSec?: number;
  /**
   * The `realm` of `WWW-Authenticate` challenges.
   * @default the first audience
   */
  realm?: string;
  /**
   * Deadline of one discovery or JWKS fetch, connect to last byte, in milliseconds.
   * @default 5000
   */
  jwksTimeoutMs?: number;
  /**
   * How long fetched keys are kept before the key set is fetched again, in milliseconds.
   * @default 600000 (10 minutes)
   */
  jwksCacheMaxAgeMs?: number;
  /**
   * Fetch the issuer's keys at start-up, so the first request does not wait for them (start-up
   * never fails because of it).
   * @default true
   */
  jwksWarmUp?: boolean;
  /**
   * The undici dispatcher for discovery and JWKS fetches: an `EnvHttpProxyAgent` for
   * `HTTPS_PROXY`/`NO_PROXY`, a `ProxyAgent`, or an `Agent` with custom TLS.
   * @default undici's global dispatcher (direct connections)
   */
  fetchDispatcher?: Dispatcher;
  /**
   * Accept only tokens typed `at+jwt` (RFC 9068 §4), which keeps ID tokens and other JWTs from the
   * same issuer out even when their `aud` matches. Auth0 sends `typ: JWT` unless its RFC 9068 token
   * profile is chosen for the API, so this is off by default.
   * @default false
   */
  requireAccessTokenType?: boolean;
  /**
   * How many verified tokens are remembered, so that a token presented again skips signature
   * verification (until its `exp`, and only while its key is in the issuer's key set); 0 turns the
   * cache off.
   * @default 16384 (room for about 10 000 tokens in use at once)
   */
  tokenCacheMaxEntries?: number;
  /**
   * The most the verified-token cache may hold, in bytes: each principal is counted by an estimate
   * of the heap its claims take, and a token whose claims would take more than a thousandth of this
   * is verified on every request instead of cached; 0 turns the cache off.
   * @default 16777216 (16 MiB)
   */
  tokenCacheMaxBytes?: number;
  /**
   * Advanced: the key-set policy (fetch spacing, stale-if-error window, unknown-kid memory, and
   * the largest RSA modulus and the RSA public exponents accepted).
   * @default DEFAULT_KEY_SET_POLICY
   */
  keySetPolicy?: Partial<KeySetPolicy>;
  /**
   * The API's resource identifier (RFC 8707, RFC 9728): its canonical https URL, written as URL
   * parsers write it, without fragment or query. Tokens whose `aud` names it are accepted as well
   * as those naming an `audience` (from any trusted issuer); its RFC 9728 metadata is served, and
   * every challenge points to it.
   * @default none: no metadata, no `resource_metadata` in challenges
   */
  resource?: string;
  /**
   * `resource_name` of the RFC 9728 metadata: a name for people.
   * @default none (omitted)
   */
  resourceName?: string;
  /**
   * `resource_documentation` of the RFC 9728 metadata: the URL of the API's documentation for developers.
   * @default none (omitted)
   */
  resourceDocumentation?: string;
  /**
   * Slow down clients that keep failing authentication: after `limit` invalid tokens (401
   * `invalid_token`, not a missing token) from one client address within `windowSec`, its requests
   * with tokens not verified before are answered 429 `too_many_attempts` with `Retry-After`, before
   * any signature check, until the window ends. A token already verified (the verified-token cache)
   * is still served. The address is the framework's `request.ip`: behind a reverse proxy, set
   * Fastify's `trustProxy` (Express: `trust proxy`) to that proxy, or every client counts as the
   * proxy. Microservice messages carry no address and are not throttled.
   * @default off
   */
  failureThrottle?: FailureThrottleOptions | false;
}

/**
 * {@link AuthOptions} checked and with every default filled in. `issuerUrl`, `audiences`, `jwksUri`
 * and `clockToleranceSec` are the first trusted issuer's; `algorithms` lists every algorithm some
 * issuer accepts.
 */
export interface AuthSettings {
  issuerUrl: string;
  audiences: readonly string[];
  jwksUri: string | undefined;
  algorithms: readonly SignatureAlgorithm[];
  clockToleranceSec: number;
  realm: string;
  jwksTimeoutMs: number;
  jwksCacheMaxAgeMs: number;
  jwksWarmUp: boolean;
  fetchDispatcher: Dispatcher | undefined;
  keySetPolicy: Partial<KeySetPolicy>;
  tokenCacheMaxEntries: number;
  requireAccessTokenType: boolean;
  tokenCacheMaxBytes: number;
  /** Every trusted issuer: one for the `issuerUrl` form. */
  issuers: readonly IssuerSettings[];
  /** The resource identifier, or `undefined` when none is configured. */
  resource: string | undefined;
  /** Where the resource's RFC 9728 metadata is, named in every challenge; `undefined` without a resource. */
  resourceMetadataUrl: string | undefined;
  resourceName: string | undefined;
  resourceDocumentation: string | undefined;
  /** Failed-authentication throttling, with its window in milliseconds; `undefined` when off. */
  failureThrottle:
    | {
        limit: number;
        windowMs: number;
        redisUrl: string | undefined;
        store: FailureStore | undefined;
      }
    | undefined;
}

/**
 * The verified-token cache's default byte budget, 16 MiB: room for the default 16 384 entries of
 * ordinary tokens (under 1 KiB each), or about 1 200 tokens with 250 permissions. Twice that let
 * a flood of such tokens grow RSS by 80 to 190 MB (garbage of evicted entries V8 collects late),
 * this by about 60 MB (test/token-cache-memory.e2e-spec.ts).
 */
export const DEFAULT_TOKEN_CACHE_MAX_BYTES = 16 * 1024 * 1024;
/** The largest byte budget accepted: 4 GiB. */
export const MAX_TOKEN_CACHE_BYTES = 4 * 1024 * 1024 * 1024;

function optionError(name: string, message: string): TypeError {
  return new TypeError(`AuthOptions.${name} ${message}`);
}

function checkUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw optionError(name, 'must be a non-empty URL string');
  }
  // Compared exactly with the token's iss later, so stray spaces would reject every token.
  if (value.trim() !== value) {
    throw optionError(name, 'must not have surrounding spaces');
  }
  const parsed = parseSecureUrl(value);
  if (typeof parsed === 'string') throw optionError(name, parsed);
  return value;
}

function checkNumber(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw optionError(name, 'must be true or false');
  return value;
}

function checkAlgorithms(name: string, algorithms: unknown): SignatureAlgorithm[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw optionError(name, 'must be a non-empty array');
  }
  for (const alg of algorithms as unknown[]) {
    const unsupported = UNSUPPORTED_ALGORITHM_REASONS[String(alg)];
    if (unsupported !== undefined)
      throw optionError(name, `contains "${String(alg)}": ${unsupported}`);
    // RFC 8725 §3.1 and §3.2: never `none`, and never an HMAC algorithm, which would let a public key be used as a secret.
    if (!isSupportedAlgorithm(alg)) {
      throw optionError(
        name,
        `contains ${JSON.stringify(alg)}; supported: ${SUPPORTED_ALGORITHMS.join(', ')} (none and HS* are never accepted)`,
      );
    }
  }
  return [...new Set(algorithms as SignatureAlgorithm[])];
}

function checkAudiences(name: string, audience: unknown): string[] {
  const audiences = typeof audience === 'string' ? [audience] : audience;
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    !audiences.every((a) => typeof a === 'string' && a.length > 0)
  ) {
    throw optionError(name, 'must be a non-empty string or a non-empty array of them');
  }
  return [...(audiences as string[])];
}

/** The trailing-slash twin of an issuer URL: the one difference issuer selection forgives. */
function slashTwin(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : `${url}/`;
}

/** The single issuer of the `issuerUrl` form, or each of `issuers`, checked. */
function resolveIssuers(
  options: AuthOptions,
  algorithms: readonly SignatureAlgorithm[],
  clockToleranceSec: number,
): IssuerSettings[] {
  if (options.issuers === undefined) {
    return [
      {
        issuerUrl: checkUrl('issuerUrl', options.issuerUrl),
        audiences: checkAudiences('audience', options.audience),
        jwksUri: options.jwksUri === undefined ? undefined : checkUrl('jwksUri', options.jwksUri),
        algorithms,
        clockToleranceSec,
      },
    ];
  }
  if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
    throw optionError('issuers', 'must be a non-empty array of { issuerUrl, audience }');
  }
  for (const name of ['issuerUrl', 'audience', 'jwksUri'] as const) {
    if (options[name] !== undefined) {
      throw optionError(name, 'cannot be combined with issuers; give it in each issuer instead');
    }
  }
  const seen = new Set<string>();
  return (options.issuers as readonly IssuerOptions[]).map((issuer, i) => {
    const at = `issuers[${i}]`;
    if (typeof issuer !== 'object' || issuer === null) {
      throw optionError(at, 'must be an object with issuerUrl and audience');
    }
    const issuerUrl = checkUrl(`${at}.issuerUrl`, issuer.issuerUrl);
    // Selection by `iss` forgives a trailing slash (see TrustedIssuers), so twins would be ambiguous.
    if (seen.has(issuerUrl) || seen.has(slashTwin(issuerUrl))) {
      throw optionError(`${at}.issuerUrl`, `names ${issuerUrl} a second time`);
    }
    seen.add(issuerUrl);
    return {
      issuerUrl,
      audiences: checkAudiences(`${at}.audience`, issuer.audience),
      jwksUri: issuer.jwksUri === undefined ? undefined : checkUrl(`${at}.jwksUri`, issuer.jwksUri),
      algorithms:
        issuer.algorithms === undefined
          ? algorithms
          : checkAlgorithms(`${at}.algorithms`, issuer.algorithms),
      clockToleranceSec: checkNumber(
        `${at}.clockToleranceSec`,
        issuer.clockToleranceSec,
        clockToleranceSec,
        0,
        3600,
      ),
    };
  });
}

function checkResource(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw optionError('resource', 'must be a non-empty URL string');
  }
  const problem = resourceIdentifierProblem(value);
  if (problem !== undefined) throw optionError('resource', problem);
  return value;
}

/** The key-set policy as given; its key-strength limits checked, as they guard every token. */
function checkKeySetPolicy(value: Partial<KeySetPolicy> | undefined): Partial<KeySetPolicy> {
  const policy = { ...value };
  if (policy.maxRsaBits !== undefined) {
    checkNumber(
      'keySetPolicy.maxRsaBits',
      policy.maxRsaBits,
      policy.maxRsaBits,
      MIN_RSA_BITS,
      MAX_RSA_BITS_LIMIT,
    );
  }
  if (
    policy.rsaPublicExponents !== undefined &&
    !RSA_PUBLIC_EXPONENTS.includes(policy.rsaPublicExponents)
  ) {
    throw optionError(
      'keySetPolicy.rsaPublicExponents',
      `must be one of ${RSA_PUBLIC_EXPONENTS.map((name) => `'${name}'`).join(', ')}`,
    );
  }
  return policy;
}

function checkText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw optionError(name, 'must be a non-empty string');
  }
  return value;
}

function checkFailureThrottle(value: unknown): AuthSettings['failureThrottle'] {
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw optionError('failureThrottle', 'must be false or { limit, windowSec }');
  }
  const options = value as FailureThrottleOptions;
  for (const name of ['limit', 'windowSec'] as const) {
    if (options[name] === undefined) throw optionError(`failureThrottle.${name}`, 'is required');
  }
  const limit = checkNumber('failureThrottle.limit', options.limit, 0, 0, 1_000_000);
  const windowSec = checkNumber('failureThrottle.windowSec', options.windowSec, 0, 1, 86_400);
  if (options.redisUrl !== undefined && options.store !== undefined) {
    throw optionError('failureThrottle.redisUrl', 'cannot be combined with failureThrottle.store');
  }
  if (
    options.redisUrl !== undefined &&
    (typeof options.redisUrl !== 'string' || !/^rediss?:\/\/./.test(options.redisUrl))
  ) {
    throw optionError('failureThrottle.redisUrl', 'must be a redis:// or rediss:// URL');
  }
  if (limit === 0) return undefined;
  return { limit, windowMs: windowSec * 1000, redisUrl: options.redisUrl, store: options.store };
}

/**
 * Checks options once, at start-up, throwing a `TypeError` that names the option; fills in defaults.
 */
export function resolveAuthSettings(options: AuthOptions): AuthSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('AuthOptions must be an object');
  }
  const algorithms = checkAlgorithms('algorithms', options.algorithms ?? DEFAULT_ALGORITHMS);
  const clockToleranceSec = checkNumber(
    'clockToleranceSec',
    options.clockToleranceSec,
    60,
    0,
    3600,
  );
  const resource = checkResource(options.resource);
  // RFC 8707 §2: a token whose `aud` names the resource identifier is meant for this API, whichever
  // trusted issuer made it, so each issuer accepts it beside its own audiences.
  const issuers = resolveIssuers(options, algorithms, clockToleranceSec).map((issuer) => ({
    ...issuer,
    audiences: acceptedAudiences(issuer.audiences, resource),
  }));
  const first = issuers[0]!;
  const audiences = first.audiences;
  const realm = options.realm ?? audiences[0]!;
  if (typeof realm !== 'string' || realm.length === 0) {
    throw optionError('realm', 'must be a non-empty string');
  }
  return {
    issuerUrl: first.issuerUrl,
    audiences: [...audiences],
    jwksUri: first.jwksUri,
    algorithms: [...new Set(issuers.flatMap((issuer) => issuer.algorithms))],
    clockToleranceSec: first.clockToleranceSec,
    issuers,
    realm,
    jwksTimeoutMs: checkNumber('jwksTimeoutMs', options.jwksTimeoutMs, 5000, 100, 60_000),
    jwksWarmUp: checkBoolean('jwksWarmUp', options.jwksWarmUp, true),
    requireAccessTokenType: checkBoolean(
      'requireAccessTokenType',
      options.requireAccessTokenType,
      false,
    ),
    fetchDispatcher: options.fetchDispatcher,
    keySetPolicy: checkKeySetPolicy(options.keySetPolicy),
    tokenCacheMaxEntries: checkNumber(
      'tokenCacheMaxEntries',
      options.tokenCacheMaxEntries,
      16_384,
      0,
      1_000_000,
    ),
    tokenCacheMaxBytes: checkNumber(
      'tokenCacheMaxBytes',
      options.tokenCacheMaxBytes,
      DEFAULT_TOKEN_CACHE_MAX_BYTES,
      0,
      MAX_TOKEN_CACHE_BYTES,
    ),
    jwksCacheMaxAgeMs: checkNumber(
      'jwksCacheMaxAgeMs',
      options.jwksCacheMaxAgeMs,
      600_000,
      30_000,
      86_400_000,
    ),
    resource,
    resourceMetadataUrl:
      resource === undefined ? undefined : protectedResourceMetadataUrl(resource),
    resourceName: checkText('resourceName', options.resourceName),
    resourceDocumentation:
      options.resourceDocumentation === undefined
        ? undefined
        : checkUrl('resourceDocumentation', options.resourceDocumentation),
    failureThrottle: checkFailureThrottle(options.failureThrottle),
  };
}
