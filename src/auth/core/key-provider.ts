import { createPublicKey, type KeyObject } from 'node:crypto';
import jwksRsa from 'jwks-rsa';
import type { Dispatcher } from 'undici';
import { keyTypeFor, type SignatureAlgorithm } from './algorithms.js';
import { InvalidTokenError, JwksUnavailableError, KEYS_UNAVAILABLE } from './errors.js';
import { fetchJson, unavailable } from './fetch-json.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';
import type { AuthLogger } from './logger.js';
import type { AuthObserver } from './observer.js';

/** The seam between token verification and wherever the issuer's public keys come from. */
export interface KeyProvider {
  /**
   * The issuer's public key with this `kid`, suited to `alg`.
   * Throws {@link InvalidTokenError} when the issuer has no such key, {@link JwksUnavailableError}
   * when the key set cannot be had.
   */
  getKey(kid: string, alg: SignatureAlgorithm): Promise<KeyObject>;
  /** Whether `kid` is in the issuer's current key set (false once it has been rotated out). */
  hasKey(kid: string): boolean;
}

/** The key-set policy; every value has a default in {@link DEFAULT_KEY_SET_POLICY}. */
export interface KeySetPolicy {
  /** Whole-fetch deadline, in milliseconds. */
  timeoutMs: number;
  /** Largest key set accepted, in bytes. */
  maxBytes: number;
  /** How long a key set is kept when the issuer sends no `Cache-Control: max-age`, in milliseconds. */
  defaultMaxAgeMs: number;
  /** Bounds on an issuer-sent max-age, in milliseconds. */
  minMaxAgeMs: number;
  maxMaxAgeMs: number;
  /** Least time between two fetches, in milliseconds; bounds the fetch rate whatever clients send. */
  minFetchIntervalMs: number;
  /** How long expired keys keep serving while the issuer cannot be reached, in milliseconds. */
  staleIfErrorMs: number;
  /** How long a kid that a fetch did not find is answered from memory, in milliseconds. */
  unknownKidTtlMs: number;
  /** How many unknown kids are remembered at most. */
  unknownKidMax: number;
  /** Retry interval of the background refresh while the issuer fails, in milliseconds. */
  refreshRetryMs: number;
}

/**
 * Why these values:
 * - 10 min default max-age, bounded 30 s to 24 h: Auth0 sends none; a shorter life costs fetches, a
 *   longer one delays revocation of a removed key; the bounds stop an issuer's 0 or a year.
 * - 6 s between fetches: at most 10 a minute, whatever clients send, and a key the issuer just
 *   published is fetched within 6 s of first sight even during a flood of made-up kids (jose's 30 s
 *   cooldown and jwks-rsa's shared per-minute limiter can both starve the real rotation).
 * - 24 h stale-if-error: an identity-provider outage of a day does not take the API down for the
 *   tokens it already knows; a removed key stops being honoured at the next successful fetch.
 * - 60 s unknown-kid memory, 10 000 entries: repeats of a made-up kid cost a Map lookup, and the
 *   memory stays around a megabyte.
 * - 5 s timeout and 1 MiB body: every client waits at most one timeout for a cold key set, and a
 *   real key set is a few KiB.
 */
export const DEFAULT_KEY_SET_POLICY: KeySetPolicy = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  defaultMaxAgeMs: 10 * 60_000,
  minMaxAgeMs: 30_000,
  maxMaxAgeMs: 24 * 3_600_000,
  minFetchIntervalMs: 6_000,
  staleIfErrorMs: 24 * 3_600_000,
  unknownKidTtlMs: 60_000,
  unknownKidMax: 10_000,
  refreshRetryMs: 30_000,
};

/** RFC 7518 §3.3 and §3.5: RSA keys for RS* and PS* must be 2048 bits or larger. */
const MIN_RSA_BITS = 2048;
const NODE_CURVES: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/** Whether a key is of the type, size and curve an algorithm needs. */
function suits(key: KeyObject, alg: SignatureAlgorithm): boolean {
  const { kty, crv } = keyTypeFor(alg);
  const details = key.asymmetricKeyDetails ?? {};
  if (kty === 'EC')
    return key.asymmetricKeyType === 'ec' && details.namedCurve === NODE_CURVES[crv!];
  if ((details.modulusLength ?? 0) < MIN_RSA_BITS) return false;
  // RS* needs a plain RSA key; PS* may use either kind of RSA key (RFC 7518 §3.5).
  return (
    key.asymmetricKeyType === 'rsa' || (alg.startsWith('PS') && key.asymmetricKeyType === 'rsa-pss')
  );
}

/** A published key, imported once, with the algorithms it may verify. */
interface ImportedKey {
  key: KeyObject;
  algorithms: ReadonlySet<SignatureAlgorithm>;
}

/**
 * The issuer's whole key set, cached by kid and refreshed in the background, fetched through
 * jwks-rsa (filtering to signing keys and importing JWKs) with our own fetcher and policy: one fetch
 * in flight, at most one fetch per {@link KeySetPolicy.minFetchIntervalMs}, unknown kids remembered,
 * stale keys served while the issuer is down, and 503 rather than 401 when no key can be had.
 */
export class JwksKeyProvider implements KeyProvider {
  private keys: Map<string, ImportedKey> | undefined;
  private fetchedAt = 0;
  private expiresAt = 0;
  private lastAttemptAt = -Infinity;
  private lastError: JwksUnavailableError | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly unknownKids = new Map<string, number>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private outageLogged = false;
  private closed = false;
  private client: jwksRsa.JwksClient | undefined;
  private lastMaxAgeSec: number | undefined;
  /** Kids already reported as unusable, so each is logged once. */
  private readonly skippedKids = new Set<string>();

  constructor(
    private readonly metadata: IssuerMetadataResolver,
    private readonly options: {
      algorithms: readonly SignatureAlgorithm[];
      logger: AuthLogger;
      policy?: Partial<KeySetPolicy>;
      dispatcher?: Dispatcher;
      now?: () => number;
      observer?: AuthObserver;
    },
  ) {
    this.policy = { ...DEFAULT_KEY_SET_POLICY, ...options.policy };
    this.now = options.now ?? Date.now;
  }

  private readonly policy: KeySetPolicy;
  private readonly now: () => number;

  async getKey(kid: string, alg: SignatureAlgorithm): Promise<KeyObject> {
    const known = this.usableKeys()?.get(kid);
    if (known !== undefined) {
      // Expired but usable (a late timer, or an outage): refresh in the background, never in the request's way.
      if (this.now() >= this.expiresAt && this.inFlight === undefined && this.mayFetch()) {
        void this.refresh();
      }
      return this.check(kid, known, alg);
    }
    if (this.inFlight === undefined && (this.isRememberedUnknown(kid) || !this.mayFetch())) {
      throw this.unknownKid(kid, false);
    }
    await this.refresh();
    const found = this.usableKeys()?.get(kid);
    if (found === undefined) throw this.unknownKid(kid, true);
    return this.check(kid, found, alg);
  }

  hasKey(kid: string): boolean {
    return this.usableKeys()?.has(kid) ?? false;
  }

  /** Fetches the key set now (start-up warm-up); never throws. */
  async warm(): Promise<void> {
    if (this.keys === undefined && this.inFlight === undefined) await this.refresh();
  }

  /** Stops the background refresh. */
  close(): void {
    this.closed = true;
    clearTimeout(this.refreshTimer);
  }

  /** The cached keys while they may still be used: fresh, or stale within the stale-if-error window. */
  private usableKeys(): Map<string, ImportedKey> | undefined {
    if (this.keys === undefined) return undefined;
    return this.now() < this.expiresAt + this.policy.staleIfErrorMs ? this.keys : undefined;
  }

  /** Whether a kid we do not know may trigger a fetch now. */
  private mayFetch(): boolean {
    return this.now() - this.lastAttemptAt >= this.policy.minFetchIntervalMs;
  }

  private check(kid: string, imported: ImportedKey, alg: SignatureAlgorithm): KeyObject {
    // RFC 8725 §3.1: the key must be meant for, and fit, the algorithm the token names.
    if (!imported.algorithms.has(alg)) {
      throw new InvalidTokenError('signing key does not fit the token', {
        detail: `kid ${JSON.stringify(kid)} may verify [${[...imported.algorithms].join(', ')}], token says ${alg}`,
      });
    }
    return imported.key;
  }

  /**
   * The answer for a kid we cannot find: 503 while the issuer is failing (we cannot tell whether
   * the kid is real), else 401. Only a kid that a fetch made for it did not find is remembered: one
   * refused by the fetch spacing may be a key published a moment ago, and must get its fetch later.
   */
  private unknownKid(kid: string, fetchedForIt: boolean): Error {
    const retryAfterSec = Math.max(
      1,
      Math.ceil((this.lastAttemptAt + this.policy.minFetchIntervalMs - this.now()) / 1000),
    );
    if (this.lastError !== undefined) return this.lastError.retryAfter(retryAfterSec);
    if (this.usableKeys() === undefined) {
      return new JwksUnavailableError(KEYS_UNAVAILABLE, {
        detail: 'no key set yet',
        retryAfterSec,
      });
    }
    if (fetchedForIt) this.rememberUnknown(kid);
    return new InvalidTokenError('signing key not found: unknown key id (kid)', {
      detail: `kid ${JSON.stringify(kid)} not in the issuer's key set`,
    });
  }

  private rememberUnknown(kid: string): void {
    if (this.unknownKids.size >= this.policy.unknownKidMax) {
      // Maps iterate in insertion order: drop the oldest.
      this.unknownKids.delete(this.unknownKids.keys().next().value!);
    }
    this.unknownKids.set(kid, this.now() + this.policy.unknownKidTtlMs);
  }

  /** Whether this kid was looked for and not found a moment ago. */
  private isRememberedUnknown(kid: string): boolean {
    const until = this.unknownKids.get(kid);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.unknownKids.delete(kid);
    return false;
  }

  /** One fetch at a time: concurrent callers share the one in flight. Never throws. */
  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeySet().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeySet(): Promise<void> {
    this.lastAttemptAt = this.now();
    let jwksUri = '(not yet known)';
    try {
      ({ jwksUri } = await this.metadata.resolve());
      const signingKeys = await this.jwksClient(jwksUri).getSigningKeys();
      this.install(signingKeys);
      this.options.observer?.jwksFetch('ok', this.now() - this.lastAttemptAt);
    } catch (error) {
      this.options.observer?.jwksFetch('error', this.now() - this.lastAttemptAt);
      this.lastError =
        error instanceof JwksUnavailableError ? error : unavailable('JWKS', jwksUri, error);
      if (!this.outageLogged) {
        const serving = this.usableKeys() === undefined ? 'no keys cached' : 'serving cached keys';
        this.options.logger.warn(
          `Signing keys unavailable (${serving}): ${this.lastError.detail ?? this.lastError.message}`,
        );
        this.outageLogged = true;
      }
      this.schedule(this.policy.refreshRetryMs);
    }
  }

  private install(signingKeys: jwksRsa.SigningKey[]): void {
    const keys = new Map<string, ImportedKey>();
    for (const signingKey of signingKeys) {
      const imported = this.importKey(signingKey);
      if (imported === undefined) {
        if (!this.skippedKids.has(signingKey.kid)) {
          this.skippedKids.add(signingKey.kid);
          this.options.logger.warn(
            `Skipped the issuer's key ${JSON.stringify(signingKey.kid)}: it fits none of [${this.options.algorithms.join(', ')}] (RSA keys need 2048 bits or more)`,
          );
        }
      } else if (!keys.has(signingKey.kid)) {
        keys.set(signingKey.kid, imported);
      }
    }
    if (keys.size === 0) {
      throw new Error('the key set has no usable signing key with a kid');
    }
    const maxAgeMs = Math.min(
      this.policy.maxMaxAgeMs,
      Math.max(
        this.policy.minMaxAgeMs,
        this.lastMaxAgeSec === undefined ? this.policy.defaultMaxAgeMs : this.lastMaxAgeSec * 1000,
      ),
    );
    this.keys = keys;
    this.fetchedAt = this.now();
    this.expiresAt = this.fetchedAt + maxAgeMs;
    for (const kid of keys.keys()) this.unknownKids.delete(kid);
    if (this.outageLogged) this.options.logger.log('Signing keys available again');
    this.lastError = undefined;
    this.outageLogged = false;
    // Refresh ahead of expiry, so that requests never wait for it.
    this.schedule(
      Math.max(this.policy.minFetchIntervalMs, maxAgeMs - Math.min(60_000, maxAgeMs / 10)),
    );
  }

  /** A malformed or unsuitable key is skipped, not fatal: the rest of the set still works. */
  private importKey(signingKey: jwksRsa.SigningKey): ImportedKey | undefined {
    if (typeof signingKey.kid !== 'string' || signingKey.kid.length === 0) return undefined;
    let key: KeyObject;
    try {
      key = createPublicKey(signingKey.getPublicKey());
    } catch {
      return undefined;
    }
    // jwks-rsa exposes the JWK's own `alg` only when it has one; then the key is for that one alone.
    const declared = signingKey.alg as string | undefined;
    const algorithms = new Set(
      this.options.algorithms.filter(
        (alg) => (declared === undefined || declared === alg) && suits(key, alg),
      ),
    );
    return algorithms.size === 0 ? undefined : { key, algorithms };
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delayMs);
    this.refreshTimer.unref();
  }

  private jwksClient(jwksUri: string): jwksRsa.JwksClient {
    this.client ??= new jwksRsa.JwksClient({
      jwksUri,
      cache: false, // the whole-set cache above replaces jwks-rsa's per-kid one
      rateLimit: false, // likewise its limiter, which made-up kids can exhaust
      timeout: this.policy.timeoutMs,
      fetcher: async (uri) => {
        const { body, maxAgeSec } = await fetchJson(uri, {
          timeoutMs: this.policy.timeoutMs,
          maxBytes: this.policy.maxBytes,
          dispatcher: this.options.dispatcher,
        });
        if (!Array.isArray(body['keys'])) throw new Error('the key set has no "keys" array');
        this.lastMaxAgeSec = maxAgeSec;
        return { keys: body['keys'] };
      },
    });
    return this.client;
  }

  /**
   * The key set's state now, for readiness probes: cheap, synchronous, and never fetches.
   */
  status(): KeySetStatus {
    const usable = this.usableKeys();
    return {
      usable: usable !== undefined,
      keyCount: usable?.size ?? 0,
      ageMs: this.keys === undefined ? undefined : this.now() - this.fetchedAt,
      fresh: this.keys !== undefined && this.now() < this.expiresAt,
      fetched: this.keys !== undefined || this.lastError !== undefined,
      fetching: this.inFlight !== undefined,
      lastError: this.lastError?.detail ?? this.lastError?.message,
    };
  }
}

/** A snapshot of {@link JwksKeyProvider}'s key set, for health checks. */
export interface KeySetStatus {
  /** Whether a token signed by a published key can be verified now (fresh keys, or stale ones during an outage). */
  usable: boolean;
  /** How many usable keys are held. */
  keyCount: number;
  /** Time since the held key set was fetched, in milliseconds; `undefined` before the first fetch. */
  ageMs: number | undefined;
  /** Whether the held key set is within its max-age (false: stale, served because the issuer is failing). */
  fresh: boolean;
  /** Whether a fetch has ended yet, successfully or not. */
  fetched: boolean;
  /** Whether a fetch is in flight. */
  fetching: boolean;
  /** Why the last fetch failed, while the issuer keeps failing; `undefined` after a success. */
  lastError: string | undefined;
}
