import { SUPPORTED_ALGORITHMS } from '../auth/index.js';
import { checkUrl, flag, list, set, wholeNumber, type Env } from './env-values.js';
import type { ServerLimits } from '../server/server-limits.js';
import { serverLimitsFrom } from './server.js';
import { issuersFrom, type IssuerEnv } from './issuers.env.js';
import { parseStorageEnv } from './storage.env.js';
import { DEFAULT_USERS_CACHE_MAX_ENTRIES } from '../users/users.options.js';
import { resourceUrlFrom } from './resource.env.js';
import { throttleEnvFrom, type ThrottleEnv } from './throttle.env.js';
import { tokenCacheMaxBytesFrom } from './token-cache.env.js';
import { webEnvFrom, type WebEnv } from './web.env.js';
import { parseObservability, type ObservabilityEnv } from './observability.js';

/** The environment variables the app reads, parsed and checked. */
export interface AppEnv {
  port: number;
  host: string;
  production: boolean;
  /** True when no issuer is configured outside production: the app serves its own development issuer. */
  devIssuer: boolean;
  /** The issuer, or `undefined` in development-issuer mode. */
  issuerUrl: string | undefined;
  audiences: string[];
  jwksUri: string | undefined;
  algorithms: string[];
  clockToleranceSec: number;
  /** Verified tokens remembered; 0 turns the cache off. */
  tokenCacheMaxEntries: number;
  /** Accept only `typ: at+jwt` tokens (RFC 9068 §4). */
  requireAccessTokenType: boolean;
  /** Outbound proxy for discovery and JWKS fetches, from the standard variables. */
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined;
  /** Byte budget of the verified-token cache; 0 turns the cache off. */
  tokenCacheMaxBytes: number;
  /** The HTTP server's limits against hostile clients, and the shutdown timeout. */
  server: ServerLimits;
  /** Serve Swagger UI at `/docs` (`DOCS_ENABLED`; on outside production by default). */
  docsEnabled: WebEnv['docsEnabled'];
  /** Browser origins allowed by CORS (`CORS_ORIGINS`); empty: CORS off. */
  corsOrigins: WebEnv['corsOrigins'];
  /** `DATABASE_URL`: a shared PostgreSQL server; `undefined` for the embedded database. */
  databaseUrl: string | undefined;
  /** `DATA_DIR`, absolute: the embedded database, the development issuer's key; created on first start. */
  dataDir: string;
  /** `USERS_CACHE_MAX_ENTRIES`: known users answered from memory, with no database statement. */
  usersCacheMaxEntries: number;
  /** Logs and metrics. */
  observability: ObservabilityEnv;
  /** `AUTH_RESOURCE_URL`: the API's resource identifier (RFC 8707, RFC 9728), or `undefined`. */
  resourceUrl: string | undefined;
  /** Several trusted issuers (`AUTH_ISSUERS`), instead of `issuerUrl`; `undefined` when unset. */
  issuers: IssuerEnv[] | undefined;
  /** Failed-authentication throttling, the shared store and the trusted proxies. */
  throttle: ThrottleEnv;
}

/** Thrown when the environment holds mistakes; its message has one line per mistake. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** The audience of the development issuer's tokens when none is configured (as in Auth0's quickstarts). */
export const DEFAULT_DEV_AUDIENCE = 'https://quickstarts/api';
const ISSUER_EXAMPLE = 'https://YOUR_TENANT.auth0.com/';

/** A bare host name with an optional port, as Auth0 shows a tenant's domain. */
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

function issuerFrom(problems: string[], env: Env): string | undefined {
  const issuer = set(env, 'AUTH_ISSUER_URL');
  const raw = set(env, 'AUTH0_DOMAIN');
  if (raw === undefined) return issuer;
  // AUTH0_DOMAIN=tenant.auth0.com means the issuer https://tenant.auth0.com/ (Auth0's `iss` ends with a slash).
  // Host names are case-insensitive, so the domain is lower-cased to match the `iss` Auth0 writes.
  const domain = raw
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (!DOMAIN.test(domain)) {
    problems.push(
      'AUTH0_DOMAIN must be a host name; set it like AUTH0_DOMAIN=YOUR_TENANT.auth0.com',
    );
    return issuer;
  }
  const fromDomain = `https://${domain}/`;
  if (issuer !== undefined && issuer !== fromDomain) {
    problems.push('AUTH_ISSUER_URL and AUTH0_DOMAIN name different issuers; set only one of them');
  }
  return issuer ?? fromDomain;
}

function audiencesFrom(problems: string[], env: Env): string[] | undefined {
  const audience = set(env, 'AUTH_AUDIENCE');
  const alias = set(env, 'AUTH0_AUDIENCE');
  if (audience !== undefined && alias !== undefined && audience !== alias) {
    problems.push('AUTH_AUDIENCE and AUTH0_AUDIENCE differ; set only one of them');
  }
  const value = audience ?? alias;
  if (value === undefined) return undefined;
  const audiences = list(value);
  if (audiences.length === 0) {
    problems.push(
      'AUTH_AUDIENCE lists no audience; set it like AUTH_AUDIENCE=https://quickstarts/api',
    );
  }
  return audiences;
}

/**
 * Parses and checks the environment, collecting every mistake (one line each, naming the variable
 * and the fix) rather than stopping at the first.
 */
export function parseEnv(env: Env): { value: AppEnv; problems: string[] } {
  const problems: string[] = [];
  // Any spelling of production counts: a typo here must never open the development issuer.
  const production = /^prod(uction)?$/i.test(set(env, 'NODE_ENV') ?? '');
  const port = wholeNumber(problems, env, 'PORT', 3000, 65535);

  const issuerUrl = issuerFrom(problems, env);
  if (issuerUrl !== undefined)
    checkUrl(
      problems,
      issuerUrl === set(env, 'AUTH_ISSUER_URL') ? 'AUTH_ISSUER_URL' : 'AUTH0_DOMAIN',
      issuerUrl,
      ISSUER_EXAMPLE,
    );
  const issuers = issuersFrom(problems, env);
  if (issuerUrl === undefined && issuers === undefined && production) {
    problems.push(
      `AUTH_ISSUER_URL is required when NODE_ENV=production (the development issuer never runs in production); set it like AUTH_ISSUER_URL=${ISSUER_EXAMPLE}`,
    );
  }
  const devIssuer = issuerUrl === undefined && issuers === undefined && !production;
  // The development issuer hands tokens to anyone who asks, so by default only this machine may ask.
  const host = set(env, 'HOST') ?? (devIssuer ? '127.0.0.1' : '0.0.0.0');
  if (devIssuer) checkNoStrayAuthVariables(problems, env);

  let audiences = audiencesFrom(problems, env) ?? [];
  if (audiences.length === 0) {
    if (
      issuerUrl !== undefined &&
      issuers === undefined &&
      set(env, 'AUTH_AUDIENCE') === undefined
    ) {
      problems.push(
        'AUTH_AUDIENCE is required with AUTH_ISSUER_URL; set it to your API identifier, like AUTH_AUDIENCE=https://quickstarts/api',
      );
    }
    audiences = issuers?.[0]?.audience ?? [DEFAULT_DEV_AUDIENCE];
  }

  const jwksUri = set(env, 'AUTH_JWKS_URI');
  if (jwksUri !== undefined) {
    if (issuerUrl === undefined && issuers === undefined) {
      problems.push('AUTH_JWKS_URI needs AUTH_ISSUER_URL too; set both, or unset AUTH_JWKS_URI');
    }
    checkUrl(problems, 'AUTH_JWKS_URI', jwksUri, `${ISSUER_EXAMPLE}.well-known/jwks.json`);
  }

  const algorithms = list(set(env, 'AUTH_ALGORITHMS') ?? 'RS256');
  const unsupported = algorithms.filter(
    (a) => !(SUPPORTED_ALGORITHMS as readonly string[]).includes(a),
  );
  if (algorithms.length === 0 || unsupported.length > 0) {
    problems.push(
      `AUTH_ALGORITHMS may list only ${SUPPORTED_ALGORITHMS.join(', ')} (never none or HS*); unset it to use RS256`,
    );
  }

  const clockToleranceSec = wholeNumber(problems, env, 'AUTH_CLOCK_TOLERANCE_SEC', 60, 3600);
  const requireAccessTokenType = flag(
    problems,
    env,
    'AUTH_REQUIRE_AT_JWT',
    false,
    'accept typ JWT too',
  );
  const tokenCacheMaxEntries = wholeNumber(
    problems,
    env,
    'AUTH_TOKEN_CACHE_MAX_ENTRIES',
    16_384,
    1_000_000,
  );

  const proxy = proxyFrom(problems, env);
  const tokenCacheMaxBytes = tokenCacheMaxBytesFrom(problems, env);
  const server = serverLimitsFrom(problems, env);
  const web = webEnvFrom(problems, env, production);
  const storage = parseStorageEnv(problems, env);
  const usersCacheMaxEntries = wholeNumber(
    problems,
    env,
    'USERS_CACHE_MAX_ENTRIES',
    DEFAULT_USERS_CACHE_MAX_ENTRIES,
    1_000_000,
    1,
  );
  const observability = parseObservability(env, production, problems);
  const resourceUrl = resourceUrlFrom(problems, env);
  const throttle = throttleEnvFrom(problems, env);

  if (devIssuer) {
    if (port === 0) {
      problems.push(
        'PORT=0 cannot serve the development issuer, whose URL names the port; set PORT=3000 or AUTH_ISSUER_URL',
      );
    }
    if (devIssuerHost(host) === undefined) {
      problems.push(
        `HOST=${host} cannot serve the development issuer; unset HOST, or set AUTH_ISSUER_URL`,
      );
    }
  }

  return {
    value: {
      port,
      host,
      production,
      devIssuer,
      issuerUrl,
      audiences,
      jwksUri,
      algorithms,
      clockToleranceSec,
      tokenCacheMaxEntries,
      requireAccessTokenType,
      proxy,
      tokenCacheMaxBytes,
      server,
      ...web,
      ...storage,
      usersCacheMaxEntries,
      observability,
      resourceUrl,
      issuers,
      throttle,
    },
    problems,
  };
}

/** Every AUTH_* and AUTH0_* variable this app reads. */
const AUTH_VARIABLES = [
  'AUTH_ISSUER_URL',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
  'AUTH_ALGORITHMS',
  'AUTH_CLOCK_TOLERANCE_SEC',
  'AUTH_TOKEN_CACHE_MAX_ENTRIES',
  'AUTH_REQUIRE_AT_JWT',
  'AUTH_TOKEN_CACHE_MAX_BYTES',
  'AUTH0_DOMAIN',
  'AUTH0_AUDIENCE',
  'AUTH_RESOURCE_URL',
  'AUTH_ISSUERS',
  'AUTH_FAILURE_LIMIT',
  'AUTH_FAILURE_WINDOW_SEC',
];

/**
 * Without an issuer the app starts its development issuer, so a misspelt issuer variable
 * (AUTH_ISSUER, AUTH0_ISSUER_URL...) must stop start-up rather than open a token mint.
 */
function checkNoStrayAuthVariables(problems: string[], env: Env): void {
  for (const name of Object.keys(env).sort()) {
    if (/^AUTH0?_/.test(name) && !AUTH_VARIABLES.includes(name) && set(env, name) !== undefined) {
      problems.push(
        `${name} is not a variable this app reads, and without AUTH_ISSUER_URL it would start its development issuer; rename it (${AUTH_VARIABLES.join(', ')}) or unset it`,
      );
    }
  }
}

/** The standard proxy variables, upper or lower case (curl's convention), as undici's EnvHttpProxyAgent reads them. */
function proxyFrom(problems: string[], env: Env): AppEnv['proxy'] {
  const pick = (name: string) => set(env, name) ?? set(env, name.toLowerCase());
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY');
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  for (const [name, value] of [
    ['HTTP_PROXY', httpProxy],
    ['HTTPS_PROXY', httpsProxy],
  ] as const) {
    if (value !== undefined && !URL.canParse(value)) {
      problems.push(`${name} is not a URL; set it like ${name}=http://proxy.internal:3128`);
    }
  }
  return { httpProxy, httpsProxy, noProxy: pick('NO_PROXY') };
}

/** Where the app reaches its own development issuer, given the address it listens on. */
function devIssuerHost(host: string): string | undefined {
  if (['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(host)) return '127.0.0.1';
  if (host === '::1') return '[::1]';
  return undefined;
}

/** The development issuer's URL, which is also the `iss` of its tokens. */
export function devIssuerUrl(env: AppEnv): string {
  return `http://${devIssuerHost(env.host) ?? '127.0.0.1'}:${env.port}/`;
}

/** Parses the environment; throws {@link ConfigError} listing every mistake. */
export function readEnv(env: Env): AppEnv {
  const { value, problems } = parseEnv(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return value;
}

/** `ConfigModule`'s `validate`: stops start-up on any mistake, leaves the variables as they are. */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  readEnv(env as Env);
  return env;
}
