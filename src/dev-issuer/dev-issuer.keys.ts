import { createPublicKey, randomUUID, sign } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig, devIssuerConfig } from '../config/index.js';
import { loadOrCreateDevSigningKey, type DevSigningKey } from './dev-issuer.key-file.js';

/** A token the development issuer hands out, shaped like Auth0's client-credentials answer. */
export interface DevTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Default lifetime of development tokens, in seconds (Auth0's default for API tokens is 24 hours). */
export const TOKEN_LIFETIME_SEC = 86_400;
/** The shortest lifetime a token request may ask for, in seconds: enough to try expiry. */
export const MIN_TOKEN_LIFETIME_SEC = 10;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The development issuer's RSA key pair, kept under `DATA_DIR` between runs, and the tokens it signs. */
@Injectable()
export class DevIssuerKeys {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** The resource identifier it issues tokens for (RFC 8707), if any. */
  readonly resource: string | undefined;
  private readonly key: DevSigningKey;
  private readonly publicJwk: Record<string, unknown>;

  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    @Inject(devIssuerConfig.KEY) config: ConfigType<typeof devIssuerConfig>,
  ) {
    if (config.production) {
      throw new Error('the development issuer never runs with NODE_ENV=production');
    }
    // The development issuer runs only in the single-issuer form (AUTH_ISSUERS names real issuers).
    if (auth.issuerUrl === undefined || auth.audience === undefined) {
      throw new Error('the development issuer needs AUTH_ISSUER_URL unset and AUTH_ISSUERS unset');
    }
    this.issuer = auth.issuerUrl;
    this.audiences = typeof auth.audience === 'string' ? [auth.audience] : auth.audience;
    this.resource = auth.resource;
    this.key = loadOrCreateDevSigningKey(config.keyFile, new Logger('DevIssuer'));
    this.publicJwk = {
      ...createPublicKey(this.key.privateKey).export({ format: 'jwk' }),
      kid: this.key.kid,
      alg: 'RS256',
      use: 'sig',
    };
  }

  /** The public JSON Web Key Set. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.publicJwk] };
  }

  /** Signs an RFC 9068 access token for `audience` (one or several) granting `scope`, valid for `lifetimeSec`. */
  issue(
    audience: string | readonly string[],
    scope: string,
    lifetimeSec = TOKEN_LIFETIME_SEC,
  ): DevTokenResponse {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      sub: 'dev-client@clients',
      aud: audience,
      iat: now,
      exp: now + lifetimeSec,
      jti: randomUUID(),
      ...(scope === '' ? {} : { scope }),
    };
    return {
      access_token: this.sign(claims),
      token_type: 'Bearer',
      expires_in: lifetimeSec,
      scope,
    };
  }

  /**
   * RS256 compact JWS with node:crypto: three lines, where jose (ESM-only) would need a second
   * module-loader setup under jest just for this development convenience.
   */
  private sign(claims: Record<string, unknown>): string {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: this.key.kid };
    const input = `${base64url(header)}.${base64url(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.key.privateKey).toString('base64url')}`;
  }
}
