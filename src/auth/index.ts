export { AuthModule } from './auth.module.js';
export {
  AUTH_MODULE_ASYNC_OPTIONS_TYPE,
  AUTH_MODULE_OPTIONS_TYPE,
  AUTH_OPTIONS,
} from './auth.module-definition.js';
export {
  AUTH_OBSERVER,
  AUTH_SETTINGS,
  KEY_PROVIDER,
  PROTECT_ALL_ROUTES,
  TOKEN_VERIFIER,
} from './auth.constants.js';
export type { AuthModuleExtras } from './auth.module-definition.js';
export { AdmissionHooks, type AdmissionHook } from './admission-hooks.js';
export { authCarrierOf } from './auth-carrier.js';
export type { AuthRequest } from './bearer-token.request.js';
export { MAX_TOKEN_LENGTH } from './core/bearer-token.js';
export { GlobalAuthGuard } from './global-auth.guard.js';
export { Public } from './public.decorator.js';
export { RoutePolicies, type RoutePolicy } from './route-policy.js';
export { WsHandshakeMiddleware, type HandshakeError } from './ws-handshake.middleware.js';
export { authFailureOf, claimedIssuerOf } from './auth-failures.js';
export { JwtAuthGuard } from './jwt-auth.guard.js';
export { JwtStrategy } from './jwt.strategy.js';
export { ScopesGuard } from './scopes.guard.js';
export { Scopes, scopeRequirementOf, type ScopeRequirement } from './scopes.decorator.js';
export {
  protectsAllRoutes,
  routeRequirementOf,
  type RouteController,
  type RouteHandler,
  type RouteRequirement,
} from './route-requirement.js';
export { CurrentUser } from './current-user.decorator.js';
export {
  AuthExceptionFilter,
  WS_EXCEPTION_EVENT,
  authErrorBody,
  type AuthErrorBody,
  type RpcAuthError,
} from './auth-exception.filter.js';
export {
  DEFAULT_TOKEN_CACHE_MAX_BYTES,
  MAX_TOKEN_CACHE_BYTES,
  type AuthOptions,
  type AuthSettings,
  type FailureThrottleOptions,
  type IssuerOptions,
  type IssuerSettings,
} from './core/options.js';
export type { IssuerKeySetStatus, TrustedIssuer, TrustedIssuers } from './core/trusted-issuers.js';
export type { Principal } from './core/claims.js';
export type { ScopeMatch } from './core/scopes.js';
export { SUPPORTED_ALGORITHMS, type SignatureAlgorithm } from './core/algorithms.js';
export {
  AuthError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  KEYS_UNAVAILABLE,
  MissingTokenError,
  TooManyFailuresError,
  UnsupportedContextError,
  type AuthErrorCode,
} from './core/errors.js';
export {
  DEFAULT_KEY_SET_POLICY,
  type KeySetPolicy,
  type KeySetStatus,
  type JwksKeyProvider,
} from './core/key-provider.js';
export type { RsaPublicExponents } from './core/key-strength.js';
export {
  INVALID_TOKEN_REASONS,
  NOOP_AUTH_OBSERVER,
  invalidTokenReason,
  type AuthObserver,
  type InvalidTokenReason,
} from './core/observer.js';
export type { FailureStore } from './core/failure-throttle.js';
export { parseSecureUrl } from './core/http-url.js';
export { graphqlCarrierOf } from './graphql-carrier.js';
export { GraphqlAuthError, graphqlErrorOf, type AuthErrorExtensions } from './graphql-errors.js';
export {
  PROTECTED_RESOURCE_METADATA_PATH,
  protectedResourceMetadataUrl,
  resourceIdentifierProblem,
} from './core/resource.js';
export { scopesInUse, trustedIssuersOf } from './protected-resource-metadata.routes.js';
