/** Injection token of the checked {@link AuthSettings}. */
export const AUTH_SETTINGS = Symbol('auth:settings');
/** Injection token of the {@link TokenVerifier}. */
export const TOKEN_VERIFIER = Symbol('auth:token-verifier');
/** Injection token of the {@link KeyProvider}. */
export const KEY_PROVIDER = Symbol('auth:key-provider');
/** Injection token of the {@link IssuerMetadataResolver}. */
export const ISSUER_METADATA = Symbol('auth:issuer-metadata');
/** Injection token of the {@link VerifiedTokenCache}, or `null` when it is off. */
export const TOKEN_CACHE = Symbol('auth:token-cache');
/** Metadata key under which `@Scopes()` stores a route's scope requirement. */
export const SCOPES_METADATA = 'auth:scopes';
/** The Passport strategy name of {@link JwtStrategy}. */
export const JWT_STRATEGY = 'jwt';
/** Injection token of an optional {@link AuthObserver} the app provides (globally) for metrics. */
export const AUTH_OBSERVER = Symbol('auth:observer');
/** Metadata key under which `@Public()` marks a route or controller as open under `protectAllRoutes`. */
export const PUBLIC_METADATA = 'auth:public';
/** Injection token of the `protectAllRoutes` flag `AuthModule` was registered with (a boolean). */
export const PROTECT_ALL_ROUTES = Symbol('auth:protect-all-routes');
/** Injection token of the {@link FailureThrottle}, or `null` when throttling is off. */
export const FAILURE_THROTTLE = Symbol('auth:failure-throttle');
