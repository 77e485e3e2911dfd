import { verify } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { AUTH_SETTINGS, JWT_STRATEGY, TOKEN_VERIFIER } from './auth.constants.js';
import { bearerTokenOf, type AuthRequest } from './bearer-token.request.js';
import { isEdDsa } from './core/algorithms.js';
import type { Principal } from './core/claims.js';
import { InvalidTokenError } from './core/errors.js';
import type { AuthSettings } from './core/options.js';
import { decodeJsonSegment } from './core/token-header.js';
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
 * The Passport JWT strategy: passport-jwt checks the signature (through jsonwebtoken) with the key
 * the {@link TokenVerifier} picked from the issuer's key set; the verifier then checks every claim.
 * Registered under the name `jwt`.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(AUTH_SETTINGS) settings: AuthSettings,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {
    super({
      jwtFromRequest: bearerTokenOf,
      secretOrKeyProvider: (_request: unknown, rawJwtToken: string, done) => {
        verifier.keyFor(rawJwtToken).then(
          (key) => {
            // jsonwebtoken runs synchronously inside done(); its errors for bad tokens are answered
            // as 401s without a stack, and capturing one was 7% of the 401 path's CPU (bench profile).
            const stackTraceLimit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            try {
              // jsonwebtoken verifies with a KeyObject; passport-jwt's types only list string | Buffer.
              done(null, key as unknown as Buffer);
            } catch (error) {
              // jsonwebtoken runs synchronously inside done(); an input it chokes on must become a
              // 401 here, not an unhandled rejection that ends the process.
              done(
                new InvalidTokenError('malformed token', { cause: error, detail: String(error) }),
              );
            } finally {
              Error.stackTraceLimit = stackTraceLimit;
            }
          },
          (error: unknown) => done(error),
        );
      },
      // RFC 8725 §3.1: jsonwebtoken re-checks the algorithm against this pinned list and the key
      // type. EdDSA never reaches it (see authenticate): with EdDSA alone it accepts nothing.
      algorithms: settings.algorithms.filter((alg) => !isEdDsa(alg)),
      // Expiry and not-before are checked with every other claim by the verifier, in one place.
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
    });
    this.edDsa = settings.algorithms.some(isEdDsa);
  }

  /** Whether some trusted issuer accepts EdDSA, which {@link authenticate} verifies itself. */
  private readonly edDsa: boolean;

  /**
   * passport-jwt's run, except for EdDSA tokens, whose signature is checked here: passport-jwt
   * verifies through jsonwebtoken 9, whose jws/jwa know no EdDSA (auth0/node-jsonwebtoken#987,
   * open), and its verifier is a static of passport-jwt's class (`JwtStrategy.JwtVerifier`) shared
   * by every passport-jwt strategy in the process, so replacing it would change the host app's
   * other strategies. Everything else runs as for any token: the key from the verifier (header
   * checks, issuer selection, algorithm pinned per issuer and per key), then {@link validate} with
   * every claim check, then Passport's success, fail or error.
   */
  override authenticate(request: AuthRequest, options?: object): void {
    if (this.edDsa) {
      const token = bearerTokenOf(request);
      if (token !== null && isEdDsa(String(decodeJsonSegment(token.split('.')[0]!)?.['alg']))) {
        this.authenticateEdDsa(token);
        return;
      }
    }
    // passport-jwt's types take Express's Request; it reads only what AuthRequest has.
    super.authenticate(request as Parameters<Strategy['authenticate']>[0], options);
  }

  private authenticateEdDsa(token: string): void {
    this.verifier.keyFor(token).then(
      (key) => {
        const [header, payload, signature] = token.split('.') as [string, string, string];
        // RFC 8037 §3.1 with node:crypto (no digest for Ed25519); the key provider handed out this
        // key only for the algorithm it was published for, and its type is checked again here as
        // jsonwebtoken does. A throw here would be an unhandled rejection, so none may escape.
        let valid = false;
        try {
          valid =
            key.asymmetricKeyType === 'ed25519' &&
            verify(
              null,
              Buffer.from(`${header}.${payload}`),
              key,
              Buffer.from(signature, 'base64url'),
            );
        } catch {
          // A key or signature node:crypto cannot use: the check failed.
        }
        if (!valid) {
          this.failWith(new InvalidTokenError('signature verification failed'));
          return;
        }
        // readTokenHeader has checked that the claims decode to a JSON object.
        this.validate(decodeJsonSegment(payload)).then(
          (principal) => this.success(principal),
          (error: unknown) => this.error(error as Error),
        );
      },
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
