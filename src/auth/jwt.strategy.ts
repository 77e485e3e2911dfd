import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { AUTH_SETTINGS, JWT_STRATEGY, TOKEN_VERIFIER } from './auth.constants.js';
import { bearerTokenOf } from './bearer-token.request.js';
import type { Principal } from './core/claims.js';
import { InvalidTokenError } from './core/errors.js';
import type { AuthSettings } from './core/options.js';
import type { TokenVerifier } from './core/token-verifier.js';

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
      // RFC 8725 §3.1: jsonwebtoken re-checks the algorithm against this pinned list and the key type.
      algorithms: [...settings.algorithms],
      // Expiry and not-before are checked with every other claim by the verifier, in one place.
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
    });
  }

  /** Turns the verified payload into the request's {@link Principal}. */
  validate(payload: unknown): Promise<Principal> {
    return this.verifier.principalFrom(payload);
  }
}
