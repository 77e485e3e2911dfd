import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { JWT_STRATEGY, TOKEN_VERIFIER } from './auth.constants.js';
import { bearerTokenOf, type AuthRequest } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';
import type { TokenVerifier } from './core/token-verifier.js';

/** How one run of the strategy ended, as Passport's middleware reports it: `(err, user, info)`. */
export type PassportOutcome = (err: unknown, user: unknown, info: unknown) => void;

/** The object a Passport strategy runs as: the strategy plus the action functions it calls. */
interface Attempt {
  outcome: PassportOutcome;
  authenticate(request: AuthRequest, options: object): void;
}

/**
 * Passport's action functions (passport/lib/middleware/authenticate.js), defined once: a run of the
 * strategy gets them through its prototype instead of six new closures per request.
 */
const ACTIONS = {
  success(this: Attempt, user: unknown, info?: unknown): void {
    this.outcome(null, user, info);
  },
  fail(this: Attempt, info?: unknown): void {
    this.outcome(null, false, info);
  },
  error(this: Attempt, err: unknown): void {
    this.outcome(err, false, undefined);
  },
};

/**
 * The Passport JWT strategy, registered under the name `jwt`: the {@link TokenVerifier} checks the
 * header, picks the issuer's key and verifies the signature with node:crypto, then {@link validate}
 * checks every claim. passport-jwt stays its base class (the strategy Nest users know), but not its
 * verification: that ran jsonwebtoken, which decoded the token again, rebuilt its options, parsed
 * the key type and verified through a streaming `Verify` (about 18 µs over node:crypto's one-shot
 * check of the same RS256 token, measured with node), and knows no EdDSA
 * (auth0/node-jsonwebtoken#987); its verifier is a static shared by every passport-jwt strategy in
 * the process, so it is not replaced but bypassed in {@link authenticate}.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(@Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: bearerTokenOf,
      // Required by passport-jwt's constructor; used only by its authenticate, which never runs.
      secretOrKeyProvider: (_request: unknown, _token: string, done: (error: Error) => void) =>
        done(new Error('JwtStrategy verifies tokens itself')),
    });
  }

  /**
   * passport-jwt's run, verifying with the {@link TokenVerifier}: no token is a `fail` ("No auth
   * token", as passport-jwt says), a token that does not verify is a `fail` with its `AuthError`,
   * and the claims then go through {@link validate}, whose failure is an `error`, as in passport-jwt.
   */
  override authenticate(request: AuthRequest): void {
    const token = bearerTokenOf(request);
    if (token === null) {
      this.failWith(new Error('No auth token'));
      return;
    }
    this.verifier.verifiedClaims(token).then(
      (claims) =>
        this.validate(claims).then(
          (principal) => this.success(principal),
          (error: unknown) => this.error(error as Error),
        ),
      (error: unknown) => this.failWith(error),
    );
  }

  /** `fail(info)`, as passport-jwt reports a key or signature failure (its types want a status too). */
  private failWith(info: unknown): void {
    (this.fail as (info: unknown) => void).call(this, info);
  }

  /** This strategy with Passport's action functions on top: the prototype of every {@link run}. */
  private readonly actions: object = Object.assign(Object.create(this) as object, ACTIONS);

  /**
   * Runs the strategy on one request exactly as `passport.authenticate()` does (passport-jwt's
   * `authenticate` with `success`/`fail`/`error` bound to the request), without the middleware,
   * option objects and promise that passport and `@nestjs/passport` build around it on every
   * request; `outcome` is called once.
   */
  run(request: AuthRequest, outcome: PassportOutcome): void {
    const attempt = Object.create(this.actions) as Attempt;
    attempt.outcome = outcome;
    attempt.authenticate(request, {});
  }

  /** Turns the verified payload into the request's {@link Principal}. */
  validate(payload: unknown): Promise<Principal> {
    return this.verifier.principalFrom(payload);
  }
}
