import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AdmissionHooks } from './admission-hooks.js';
import { authCarrierOf } from './auth-carrier.js';
import { FAILURE_THROTTLE, JWT_STRATEGY, TOKEN_CACHE } from './auth.constants.js';
import { clientAddressOf, takeBearerToken, type AuthRequest } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';
import {
  AuthError,
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
} from './core/errors.js';
import type { FailureThrottle } from './core/failure-throttle.js';
import { hasScopes } from './core/scopes.js';
import type { VerifiedTokenCache } from './core/verified-token-cache.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RoutePolicies, type RoutePolicy } from './route-policy.js';

/**
 * Where a guard notes, on the invocation's `ExecutionContext` (one per handler call, shared by every
 * guard of that call), the principal it admitted: a second token guard of the same call (global and
 * `@UseGuards`, or `JwtAuthGuard` and `ScopesGuard`) is then a no-op. On the context rather than the
 * request, because a socket's handshake request outlives one message and must be checked again.
 */
const ADMITTED = Symbol('auth:admitted');
type Marked = ExecutionContext & { [ADMITTED]?: unknown };

/** Throws `insufficient_scope` unless `principal` grants what `policy` requires (RFC 6750 §3.1). */
function checkScopes(policy: RoutePolicy, principal: Principal): void {
  const required = policy.scopes;
  if (required === null || hasScopes(principal.scopes, required.scopes, required.match)) return;
  const list = required.scopes.join(' ');
  throw new InsufficientScopeError(
    required.scopes,
    required.match === 'all'
      ? `token lacks the required scope: ${list}`
      : `token lacks every one of the accepted scopes: ${list}`,
  );
}

/**
 * Requires a valid bearer access token (`AuthGuard('jwt')`) and the route's `@Scopes()`: extracts
 * the token strictly from the transport's carrier ({@link authCarrierOf}), answers a token verified
 * before from the {@link VerifiedTokenCache}, lets the Passport strategy verify the others, and
 * turns Passport's `err`/`info` into this library's errors. Sets `user` on the carrier (the HTTP request) to the
 * caller's {@link Principal}, then runs the app's {@link AdmissionHooks} once per handler call.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  constructor(
    @Inject(TOKEN_CACHE) private readonly cache: VerifiedTokenCache | null,
    private readonly strategy: JwtStrategy,
    private readonly policies: RoutePolicies,
    @Inject(FAILURE_THROTTLE) private readonly throttle: FailureThrottle | null,
    private readonly admissions: AdmissionHooks,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.check(context, this.policies.of(context));
  }

  /** {@link canActivate} with the route's policy already read (by the global guard). */
  check(context: ExecutionContext, policy: RoutePolicy): boolean | Promise<boolean> {
    const request = authCarrierOf(context);
    const admitted = (context as Marked)[ADMITTED];
    // Another token guard of this same call admitted this principal, with this route's scopes.
    if (admitted !== undefined && admitted === request.user) return true;
    const token = takeBearerToken(request);
    // Passport's per-request machinery costs about as much as the rest of the request, so a token
    // seen before skips it (synchronously: no promise on the hot path); every check Passport would
    // make was made when the entry was stored.
    const cached = this.cache?.get(token);
    if (cached !== undefined) return this.admit(context, policy, request, cached);
    return this.verify(request, token).then((principal) =>
      this.admit(context, policy, request, principal),
    );
  }

  /**
   * Verifies the carrier's token outside a guard (a WebSocket handshake) and sets `user` on it;
   * rejects with the `AuthError` a guard would throw.
   */
  async authenticate(request: AuthRequest): Promise<Principal> {
    const token = takeBearerToken(request);
    const principal = this.cache?.get(token) ?? (await this.verify(request, token));
    request.user = principal;
    return principal;
  }

  /** Sets the principal, checks the route's scopes, then runs the {@link AdmissionHooks}. */
  private admit(
    context: ExecutionContext,
    policy: RoutePolicy,
    request: AuthRequest,
    principal: Principal,
  ): true | Promise<true> {
    request.user = principal;
    checkScopes(policy, principal);
    (context as Marked)[ADMITTED] = principal;
    const pending = this.admissions.run(principal, context);
    return pending === undefined ? true : pending.then(() => true);
  }

  /**
   * A token not verified before: refused with 429 while its client is throttled (before any
   * signature check), else verified, and counted against the client when it is invalid.
   */
  private async verify(request: AuthRequest, token: string): Promise<Principal> {
    const address = this.throttle === null ? undefined : clientAddressOf(request);
    if (address === undefined) return this.runStrategy(request, token);
    // Synchronous with the memory store: no turn of the microtask queue for it then.
    const checking = this.throttle!.check(address);
    if (checking !== undefined) await checking;
    try {
      return await this.runStrategy(request, token);
    } catch (error) {
      // A bad token, not a missing or malformed header (cheap to refuse) nor an outage of ours.
      if (error instanceof InvalidTokenError) this.throttle!.failed(address);
      throw error;
    }
  }

  /**
   * The full check: the Passport strategy runs on the request (directly, see {@link JwtStrategy.run}:
   * `super.canActivate` cost a dozen closures, objects and promises per request) and its outcome
   * goes through {@link handleRequest}.
   */
  private runStrategy(request: AuthRequest, token: string): Promise<Principal> {
    return new Promise((resolve, reject) => {
      this.strategy.run(request, (err, user, info) => {
        try {
          const principal = this.handleRequest<Principal>(err, user, info);
          this.cache?.set(token, principal);
          resolve(principal);
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** The one place where Passport's outcome becomes a principal or an `AuthError`. */
  override handleRequest<TUser = Principal>(err: unknown, user: unknown, info: unknown): TUser {
    if (err instanceof AuthError) throw err;
    if (err) throw err; // not an auth failure: a bug or an outage the app must see as such
    if (user) return user as TUser;
    if (info instanceof AuthError) throw info;
    if (info instanceof Error && info.message === 'No auth token') {
      throw new MissingTokenError('no access token: send an Authorization: Bearer <token> header');
    }
    throw new InvalidTokenError('token could not be verified', {
      cause: info,
      detail: info instanceof Error ? `${info.name}: ${info.message}` : String(info),
    });
  }
}
