import { checkClaims, type Principal } from './claims.js';
import { InvalidTokenError } from './errors.js';
import type { AuthSettings } from './options.js';
import { verifySignature } from './signature.js';
import { parseToken } from './token-header.js';
import type { TrustedIssuers } from './trusted-issuers.js';

/**
 * The framework-free steps of access-token verification: the token's claims once its signature
 * checks out (header checks, its issuer's key set, node:crypto), then the caller from its claims.
 */
export class TokenVerifier {
  constructor(
    private readonly settings: AuthSettings,
    private readonly issuers: TrustedIssuers,
  ) {}

  /**
   * The claims of a token signed by a trusted issuer's key, not yet checked ({@link principalFrom}
   * does that); throws an `AuthError` otherwise. Each segment is decoded once.
   */
  async verifiedClaims(token: string): Promise<Record<string, unknown>> {
    const { header, claims, signingInput, signature } = parseToken(
      token,
      this.settings.algorithms,
      {
        requireAccessTokenType: this.settings.requireAccessTokenType,
      },
    );
    const { kid, alg } = header;
    // RFC 8725 §3.8 (and jwks-rsa#214): the unverified iss only selects among the configured
    // issuers; one not on the list is refused here, before any fetch.
    const issuer = this.issuers.require(claims['iss']);
    // RFC 8725 §3.1 and §2.1: the algorithm is pinned per issuer, then per key by its key set.
    if (!issuer.settings.algorithms.includes(alg)) {
      throw new InvalidTokenError('signing algorithm not accepted', {
        detail: `alg ${JSON.stringify(alg)} not in [${issuer.settings.algorithms.join(', ')}] for ${issuer.settings.issuerUrl}`,
      });
    }
    const key = await issuer.keys.getKey(kid, alg);
    if (!verifySignature(alg, key, signingInput, signature)) {
      throw new InvalidTokenError('signature verification failed', {
        detail: `${alg} signature does not verify with kid ${JSON.stringify(kid)}`,
      });
    }
    return claims;
  }

  /** The caller, from the claims of a token whose signature checked out; throws an `AuthError` otherwise. */
  async principalFrom(payload: unknown): Promise<Principal> {
    const claims =
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    // The issuer whose key verified the signature: the token's iss chose it in verifiedClaims.
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
