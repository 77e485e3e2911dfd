import type { KeyObject } from 'node:crypto';
import { checkClaims, type Principal } from './claims.js';
import { InvalidTokenError } from './errors.js';
import type { AuthSettings } from './options.js';
import { decodeJsonSegment, readTokenHeader } from './token-header.js';
import type { TrustedIssuers } from './trusted-issuers.js';

/**
 * The framework-free halves of access-token verification around the signature check:
 * the key for a token (header checks, then its issuer's key set) and the caller from its claims.
 */
export class TokenVerifier {
  constructor(
    private readonly settings: AuthSettings,
    private readonly issuers: TrustedIssuers,
  ) {}

  /** The issuer's key that must have signed this token; throws an `AuthError` otherwise. */
  async keyFor(token: string): Promise<KeyObject> {
    const { kid, alg } = readTokenHeader(token, this.settings.algorithms, {
      requireAccessTokenType: this.settings.requireAccessTokenType,
    });
    // RFC 8725 §3.8 (and jwks-rsa#214): the unverified iss only selects among the configured
    // issuers; one not on the list is refused here, before any fetch. readTokenHeader has checked
    // the shape, so the payload segment is the second one and decodes to an object.
    const payload = token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'));
    const issuer = this.issuers.require(decodeJsonSegment(payload)?.['iss']);
    // RFC 8725 §3.1 and §2.1: the algorithm is pinned per issuer, then per key by its key set.
    if (!issuer.settings.algorithms.includes(alg)) {
      throw new InvalidTokenError('signing algorithm not accepted', {
        detail: `alg ${JSON.stringify(alg)} not in [${issuer.settings.algorithms.join(', ')}] for ${issuer.settings.issuerUrl}`,
      });
    }
    return issuer.keys.getKey(kid, alg);
  }

  /** The caller, from the claims of a token whose signature checked out; throws an `AuthError` otherwise. */
  async principalFrom(payload: unknown): Promise<Principal> {
    const claims =
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    // The issuer whose key verified the signature: the token's iss chose it in keyFor.
    const trusted = this.issuers.require(claims['iss']);
    const { issuer } = await trusted.metadata.resolve();
    return checkClaims(
      payload,
      {
        issuer,
        audiences: trusted.settings.audiences,
        clockToleranceSec: trusted.settings.clockToleranceSec,
      },
      Math.floor(Date.now() / 1000),
    );
  }
}
