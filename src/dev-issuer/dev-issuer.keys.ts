import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SignJWT } from 'jose';
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
  async issue(audience: string, scope: string): Promise<DevTokenResponse> {
    const accessToken = await new SignJWT(scope === '' ? {} : { scope })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject('dev-client@clients')
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_LIFETIME_SEC}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SEC,
      scope,
    };
  }
}
