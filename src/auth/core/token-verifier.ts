import type { KeyObject } from 'node:crypto';
import { checkClaims, type Principal } from './claims.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';
import type { KeyProvider } from './key-provider.js';
import type { AuthSettings } from './options.js';
import { readTokenHeader } from './token-header.js';

/**
 * The framework-free halves of access-token verification around the signature check:
 * the key for a token (header checks, then the issuer's key set) and the caller from its claims.
 */
export class TokenVerifier {
  constructor(
    private readonly settings: AuthSettings,
    private readonly metadata: IssuerMetadataResolver,
    private readonly keys: KeyProvider,
  ) {}

  /** The issuer's key that must have signed this token; throws an `AuthError` otherwise. */
  async keyFor(token: string): Promise<KeyObject> {
    const { kid, alg } = readTokenHeader(token, this.settings.algorithms, {
      requireAccessTokenType: this.settings.requireAccessTokenType,
    });
    return this.keys.getKey(kid, alg);
  }

  /** The caller, from the claims of a token whose signature checked out; throws an `AuthError` otherwise. */
  async principalFrom(payload: unknown): Promise<Principal> {
    const { issuer } = await this.metadata.resolve();
    return checkClaims(
      payload,
      {
        issuer,
        audiences: this.settings.audiences,
        clockToleranceSec: this.settings.clockToleranceSec,
      },
      Math.floor(Date.now() / 1000),
    );
  }
}
