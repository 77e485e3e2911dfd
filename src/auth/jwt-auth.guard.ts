import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { authCarrierOf } from './auth-carrier.js';
import { JWT_STRATEGY, TOKEN_CACHE } from './auth.constants.js';
import { takeBearerToken, type AuthRequest } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';
import { AuthError, InvalidTokenError, MissingTokenError } from './core/errors.js';
import type { VerifiedTokenCache } from './core/verified-token-cache.js';
import { JwtStrategy } from './jwt.strategy.js';

/** jsonwebtoken's errors, told apart by name so that its internals never reach the client. */
function fromJsonWebTokenError(info: Error): InvalidTokenError {
  const description = /signature/.test(info.message)
    ? 'signature verification failed'
    : /algorithm/.test(info.message)
      ? 'signing algorithm not accepted'
      : /key/.test(info.message)
        ? 'signing key does not fit the token'
        : 'malformed token';
  return new InvalidTokenError(description, {
    cause: info,
    detail: `jsonwebtoken: ${info.message}`,
  });
}

/**
 * Requires a valid bearer access token (`AuthGuard('jwt')`): extracts it strictly, answers a
 * token verified before from the {@link VerifiedTokenCache}, lets Passport verify the others, and
 * turns Passport's `err`/`info` into this library's errors. Sets `request.user` to the caller's
 * {@link Principal}.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  constructor(
    @Inject(TOKEN_CACHE) private readonly cache: VerifiedTokenCache | null,
    private readonly strategy: JwtStrategy,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = authCarrierOf(context);
    const token = takeBearerToken(request);
    // Passport's per-request machinery costs about as much as the rest of the request, so a token
    // seen before skips it (synchronously: no promise on the hot path); every check Passport would
    // make was made when the entry was stored.
    const cached = this.cache?.get(token);
    if (cached !== undefined) {
      request.user = cached;
      return true;
    }
    return this.verify(request, token);
  }

  /**
   * The full check: the Passport strategy runs on the request (directly, see {@link JwtStrategy.run}:
   * `super.canActivate` cost a dozen closures, objects and promises per request) and its outcome
   * goes through {@link handleRequest}.
   */
  private verify(request: AuthRequest, token: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.strategy.run(request, (err, user, info) => {
        try {
          const principal = this.handleRequest<Principal>(err, user, info);
          request.user = principal;
          this.cache?.set(token, principal);
          resolve(true);
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
    if (info instanceof Error && info.name === 'JsonWebTokenError') {
      throw fromJsonWebTokenError(info);
    }
    if (info instanceof Error && info.message === 'No auth token') {
      throw new MissingTokenError('no access token: send an Authorization: Bearer <token> header');
    }
    throw new InvalidTokenError('token could not be verified', {
      cause: info,
      detail: info instanceof Error ? `${info.name}: ${info.message}` : String(info),
    });
  }
}
