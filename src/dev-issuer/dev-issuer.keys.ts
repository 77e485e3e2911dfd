import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/index.js';

/** A token the development issuer hands out, shaped like Auth0's client-credentials answer. */
export interface DevTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Lifetime of development tokens, in seconds (Auth0's default for API tokens is 24 hours). */
const TOKEN_LIFETIME_SEC = 86_400;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The development issuer's RSA key pair, made at start-up and never stored, and the tokens it signs. */
@Injectable()
export class DevIssuerKeys {
  readonly issuer: string;
  readonly audiences: readonly string[];
  private readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;

  constructor(@Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>) {
    this.issuer = auth.issuerUrl;
    this.audiences = typeof auth.audience === 'string' ? [auth.audience] : auth.audience;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = {
      ...publicKey.export({ format: 'jwk' }),
      kid: this.kid,
      alg: 'RS256',
      use: 'sig',
    };
  }

  /** The public JSON Web Key Set. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.publicJwk] };
  }

  /** Signs an RFC 9068 access token for `audience` granting `scope`. */
  issue(audience: string, scope: string): DevTokenResponse {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      sub: 'dev-client@clients',
      aud: audience,
      iat: now,
      exp: now + TOKEN_LIFETIME_SEC,
      jti: randomUUID(),
      ...(scope === '' ? {} : { scope }),
    };
    return {
      access_token: this.sign(claims),
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SEC,
      scope,
    };
  }

  /**
   * RS256 compact JWS with node:crypto: three lines, where jose (ESM-only) would need a second
   * module-loader setup under jest just for this development convenience.
   */
  private sign(claims: Record<string, unknown>): string {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: this.kid };
    const input = `${base64url(header)}.${base64url(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}
