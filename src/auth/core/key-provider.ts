import { createPublicKey, type KeyObject } from 'node:crypto';
import jwksRsa from 'jwks-rsa';
import { keyTypeFor, type SignatureAlgorithm } from './algorithms.js';
import { InvalidTokenError, JwksUnavailableError } from './errors.js';
import { fetchJson, unavailable } from './fetch-json.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';

/** The seam between token verification and wherever the issuer's public keys come from. */
export interface KeyProvider {
  /**
   * The issuer's public key with this `kid`, suited to `alg`.
   * Throws {@link InvalidTokenError} when the issuer has no such key, {@link JwksUnavailableError}
   * when the key set cannot be had.
   */
  getKey(kid: string, alg: SignatureAlgorithm): Promise<KeyObject>;
}

/** Limits of the JWKS fetch. */
export interface JwksKeyProviderOptions {
  /** Whole fetch deadline, in milliseconds. */
  timeoutMs: number;
  /** How long a fetched key is kept, in milliseconds. */
  cacheMaxAgeMs: number;
}

const JWKS_MAX_BYTES = 1024 * 1024;

/** RFC 7518 §3.3 and §3.5: RSA keys for RS* and PS* must be 2048 bits or larger. */
const MIN_RSA_BITS = 2048;

/** Whether a key is of the type (and size, and curve) an algorithm needs. */
function suits(key: KeyObject, alg: SignatureAlgorithm): boolean {
  const { kty, crv } = keyTypeFor(alg);
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return false;
  if (kty === 'EC') {
    return (
      key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === nodeCurve(crv!)
    );
  }
  // RS* needs a plain RSA key; PS* may use either kind of RSA key (RFC 7518 §3.5).
  return (
    key.asymmetricKeyType === 'rsa' || (alg.startsWith('PS') && key.asymmetricKeyType === 'rsa-pss')
  );
}

function nodeCurve(crv: string): string {
  return { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }[crv] ?? crv;
}

/**
 * Keys from the issuer's JSON Web Key Set over HTTP, through jwks-rsa (fetching, filtering to
 * signing keys, JWK import, per-kid cache). Each key is turned into a `KeyObject` once, not per request.
 */
export class JwksKeyProvider implements KeyProvider {
  private client: jwksRsa.JwksClient | undefined;
  private readonly keyObjects = new WeakMap<jwksRsa.SigningKey, KeyObject>();

  constructor(
    private readonly metadata: IssuerMetadataResolver,
    private readonly options: JwksKeyProviderOptions,
  ) {}

  async getKey(kid: string, alg: SignatureAlgorithm): Promise<KeyObject> {
    const client = await this.jwksClient();
    let signingKey: jwksRsa.SigningKey;
    try {
      signingKey = await client.getSigningKey(kid);
    } catch (error) {
      if (error instanceof jwksRsa.SigningKeyNotFoundError) {
        throw new InvalidTokenError('signing key not found: unknown key id (kid)', {
          detail: `kid ${JSON.stringify(kid)} not in the issuer's key set`,
        });
      }
      if (error instanceof JwksUnavailableError) throw error;
      throw unavailable('JWKS', (await this.metadata.resolve()).jwksUri, error);
    }
    // RFC 8725 §3.1: the key must be meant for the algorithm the token names.
    if (signingKey.alg !== undefined && signingKey.alg !== alg) {
      throw new InvalidTokenError('signing key does not fit the token', {
        detail: `kid ${JSON.stringify(kid)} is for ${signingKey.alg}, token says ${alg}`,
      });
    }
    let key = this.keyObjects.get(signingKey);
    if (key === undefined) {
      key = createPublicKey(signingKey.getPublicKey());
      this.keyObjects.set(signingKey, key);
    }
    if (!suits(key, alg)) {
      throw new InvalidTokenError('signing key does not fit the token', {
        detail: `kid ${JSON.stringify(kid)} is a ${key.asymmetricKeyType} key of ${key.asymmetricKeyDetails?.modulusLength ?? key.asymmetricKeyDetails?.namedCurve}, token says ${alg}`,
      });
    }
    return key;
  }

  private async jwksClient(): Promise<jwksRsa.JwksClient> {
    if (this.client !== undefined) return this.client;
    const { jwksUri } = await this.metadata.resolve();
    const limits = { timeoutMs: this.options.timeoutMs, maxBytes: JWKS_MAX_BYTES };
    this.client ??= new jwksRsa.JwksClient({
      jwksUri,
      cache: true,
      cacheMaxAge: this.options.cacheMaxAgeMs,
      timeout: this.options.timeoutMs,
      fetcher: async (uri) => {
        try {
          const { keys } = await fetchJson(uri, limits);
          return { keys };
        } catch (error) {
          throw unavailable('JWKS', uri, error);
        }
      },
    });
    return this.client;
  }
}
