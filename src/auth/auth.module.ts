import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AdmissionHooks } from './admission-hooks.js';
import { AuthExceptionFilter } from './auth-exception.filter.js';
import {
  AUTH_OBSERVER,
  AUTH_SETTINGS,
  FAILURE_THROTTLE,
  ISSUER_METADATA,
  KEY_PROVIDER,
  TOKEN_CACHE,
  TOKEN_VERIFIER,
} from './auth.constants.js';
import { AUTH_OPTIONS, ConfigurableAuthModule } from './auth.module-definition.js';
import { FailureThrottle, MemoryFailureStore } from './core/failure-throttle.js';
import { IssuerMetadataResolver } from './core/issuer-metadata.js';
import { connectRedis } from './core/redis.js';
import { RedisFailureStore } from './core/redis-failure-store.js';
import { NOOP_AUTH_OBSERVER, type AuthObserver } from './core/observer.js';
import { DEFAULT_KEY_SET_POLICY, JwksKeyProvider, type KeyProvider } from './core/key-provider.js';
import {
  resolveAuthSettings,
  type AuthOptions,
  type AuthSettings,
  type IssuerSettings,
} from './core/options.js';
import { TokenVerifier } from './core/token-verifier.js';
import { TrustedIssuers, type TrustedIssuer } from './core/trusted-issuers.js';
import { VerifiedTokenCache } from './core/verified-token-cache.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RoutePolicies } from './route-policy.js';
import { ProtectedResourceMetadataRoutes } from './protected-resource-metadata.routes.js';
import { ScopesGuard } from './scopes.guard.js';
import { WsHandshakeMiddleware } from './ws-handshake.middleware.js';

/** One trusted issuer's metadata resolver and key provider, with the module-wide fetch policy. */
function trustedIssuer(
  settings: AuthSettings,
  issuer: IssuerSettings,
  observer: AuthObserver | undefined,
): TrustedIssuer {
  const logger = new Logger(settings.issuers.length === 1 ? 'Auth' : `Auth ${issuer.issuerUrl}`);
  const metadata = new IssuerMetadataResolver({
    issuerUrl: issuer.issuerUrl,
    jwksUri: issuer.jwksUri,
    timeoutMs: settings.jwksTimeoutMs,
    retryIntervalMs:
      settings.keySetPolicy.minFetchIntervalMs ?? DEFAULT_KEY_SET_POLICY.minFetchIntervalMs,
    dispatcher: settings.fetchDispatcher,
    logger,
  });
  const keys = new JwksKeyProvider(metadata, {
    algorithms: issuer.algorithms,
    logger,
    dispatcher: settings.fetchDispatcher,
    policy: {
      timeoutMs: settings.jwksTimeoutMs,
      defaultMaxAgeMs: settings.jwksCacheMaxAgeMs,
      ...settings.keySetPolicy,
    },
    observer,
  });
  return { settings: issuer, metadata, keys };
}

/** The failure throttle the settings ask for, with its store (memory, Redis, or the app's own); `null` when off. */
async function failureThrottleOf(settings: AuthSettings): Promise<FailureThrottle | null> {
  const options = settings.failureThrottle;
  if (options === undefined) return null;
  const logger = new Logger('AuthThrottle');
  const limit = { limit: options.limit, windowMs: options.windowMs };
  if (options.store !== undefined) return new FailureThrottle(options.store, logger);
  if (options.redisUrl === undefined) {
    return new FailureThrottle(new MemoryFailureStore(limit), logger);
  }
  const redis = await connectRedis(options.redisUrl, logger);
  return new FailureThrottle(new RedisFailureStore(redis.client, limit, redis.close), logger);
}

/**
 * Protects routes with OAuth 2.0 bearer access tokens (JWTs) from one issuer, or several. Import it
 * once with `AuthModule.forRoot({...})` or `forRootAsync({...})`, then either protect every handler
 * with `protectAllRoutes: true` (and open some with `@Public()`) or guard handlers with
 * `@UseGuards(JwtAuthGuard)`; `@Scopes(...)` is enforced by either.
 */
@Module({
  imports: [PassportModule, DiscoveryModule],
  providers: [
    {
      provide: AUTH_SETTINGS,
      useFactory: (options: AuthOptions) => resolveAuthSettings(options),
      inject: [AUTH_OPTIONS],
    },
    {
      // One metadata resolver and one key set per trusted issuer, never pooled (RFC 8725 §3.8).
      provide: KEY_PROVIDER,
      useFactory: (settings: AuthSettings, observer: AuthObserver | undefined) =>
        new TrustedIssuers(
          settings.issuers.map((issuer) => trustedIssuer(settings, issuer, observer)),
        ),
      inject: [AUTH_SETTINGS, { token: AUTH_OBSERVER, optional: true }],
    },
    {
      // The first trusted issuer's (the only one in the single-issuer form).
      provide: ISSUER_METADATA,
      useFactory: (keys: TrustedIssuers) => keys.issuers[0]!.metadata,
      inject: [KEY_PROVIDER],
    },
    {
      provide: TOKEN_VERIFIER,
      useFactory: (settings: AuthSettings, keys: TrustedIssuers) =>
        new TokenVerifier(settings, keys),
      inject: [AUTH_SETTINGS, KEY_PROVIDER],
    },
    {
      provide: TOKEN_CACHE,
      useFactory: (
        settings: AuthSettings,
        keys: KeyProvider,
        observer: AuthObserver | undefined,
      ) =>
        settings.tokenCacheMaxEntries > 0 && settings.tokenCacheMaxBytes > 0
          ? new VerifiedTokenCache(
              { maxEntries: settings.tokenCacheMaxEntries, maxBytes: settings.tokenCacheMaxBytes },
              keys,
              undefined,
              observer ?? NOOP_AUTH_OBSERVER,
            )
          : null,
      inject: [AUTH_SETTINGS, KEY_PROVIDER, { token: AUTH_OBSERVER, optional: true }],
    },
    {
      provide: FAILURE_THROTTLE,
      useFactory: failureThrottleOf,
      inject: [AUTH_SETTINGS],
    },
    JwtStrategy,
    RoutePolicies,
    AdmissionHooks,
    JwtAuthGuard,
    ScopesGuard,
    WsHandshakeMiddleware,
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    ProtectedResourceMetadataRoutes,
  ],
  exports: [
    AUTH_SETTINGS,
    TOKEN_VERIFIER,
    TOKEN_CACHE,
    FAILURE_THROTTLE,
    KEY_PROVIDER,
    JwtStrategy,
    RoutePolicies,
    AdmissionHooks,
    JwtAuthGuard,
    ScopesGuard,
    WsHandshakeMiddleware,
  ],
})
export class AuthModule
  extends ConfigurableAuthModule
  implements OnApplicationBootstrap, OnModuleDestroy
{
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(KEY_PROVIDER) private readonly keys: TrustedIssuers,
    @Inject(FAILURE_THROTTLE) private readonly throttle: FailureThrottle | null,
  ) {
    super();
  }

  /** Warms the key cache without holding up or failing start-up when the issuer is down. */
  onApplicationBootstrap(): void {
    if (this.settings.jwksWarmUp) void this.keys.warm();
  }

  async onModuleDestroy(): Promise<void> {
    this.keys.close();
    await this.throttle?.close();
  }
}
