import { createPublicKey, type KeyObject } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import jwksRsa from 'jwks-rsa';
import type { Dispatcher } from 'undici';
import {
  keyTypeFor,
  UNSUPPORTED_ALGORITHM_REASONS,
  type SignatureAlgorithm,
} from './algorithms.js';
import { InvalidTokenError, JwksUnavailableError, KEYS_UNAVAILABLE } from './errors.js';
import { fetchJson, unavailable } from './fetch-json.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';
import {
  ecPointProblem,
  keyStrengthProblem,
  NODE_CURVES,
  type RsaPublicExponents,
} from './key-strength.js';
import type { AuthLogger } from './logger.js';
import type { AuthObserver } from './observer.js';

/** The seam between token verification and wherever the issuer's public keys come from. */
export interface KeyProvider {
  /**
   * The issuer's public key with this `kid`, suited to `alg`.
   * Throws {@link InvalidTokenError} when the issuer has no such key, {@link JwksUnavailableError}
   * when the key set cannot be had.
   */
  getKey(kid: string, alg: SignatureAlgorithm, issuer?: string): Promise<KeyObject>;
  /**
   * Whether `kid` is in the issuer's current key set (false once it has been rotated out); with
   * several trusted issuers, `issuer` names whose key set (a provider of one issuer ignores it).
   */
  hasKey(kid: string, issuer?: string): boolean;
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
  /** How many signing keys of a key set are imported at most; the rest are skipped. */
  maxKeys: number;
  /**
   * Largest RSA modulus accepted, in bits (from 2048 to 16384); a larger key is refused.
   * @default 8192
   */
  maxRsaBits: number;
  /**
   * Which RSA public exponents are accepted: `'65537'` alone, or `'fips-186-5'`, any odd e with
   * 2^16 < e < 2^256. A key with another exponent is refused.
   * @default '65537'
   */
  rsaPublicExponents: RsaPublicExponents;
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
 * - 100 keys: issuers publish two or three (current, next, previous); jwks-rsa imports a key in
 *   about 0.3 ms of CPU, so importing all of a 2 000-key set took 610 ms at each refresh; 100 new
 *   keys take about 30 ms, and unchanged ones are not imported again.
 * - RSA moduli of at most 8192 bits: every token naming a key costs one verification with it, about
 *   0.03 ms of CPU at 2048 bits, 0.25 ms at 8192 and 1 to 2.5 ms at 16 384 (RFC 8725 §3.5: strong
 *   enough, and no stronger than the CPU budget allows); issuers publish 2048 to 4096 bits.
 * - Public exponent 65537 only: every issuer uses it (FIPS 186-5 §A.1.1 allows odd 2^16 < e < 2^256,
 *   `'fips-186-5'`, for an issuer that does not); e = 1 lets anyone sign, a small e invites forgery
 *   against lax verifiers, and a 255-bit e makes a 3072-bit verification about 13 times dearer.
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
  maxKeys: 100,
  maxRsaBits: 8_192,
  rsaPublicExponents: '65537',
};

/**
 * Keys imported between two yields to the event loop: jwks-rsa imports a key through WebCrypto in
 * 0.2 to 0.6 ms of CPU, so a slice holds the loop for a few milliseconds at most.
 */
const IMPORT_SLICE = 25;
/** How many kids a log line names at most. */
const KIDS_NAMED = 10;
/**
 * RFC 7518 §6 and RFC 8037 §2: the key types the supported algorithms use (RSA for RS and PS, EC for
 * ES, OKP for EdDSA).
 */
const KEY_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

/** Whether a key is of the type and curve an algorithm needs (its strength is checked on import). */
function suits(key: KeyObject, alg: SignatureAlgorithm): boolean {
  const { kty, crv } = keyTypeFor(alg);
  const details = key.asymmetricKeyDetails ?? {};
  if (kty === 'EC')
    return key.asymmetricKeyType === 'ec' && details.namedCurve === NODE_CURVES[crv!];
  // RFC 8037 §3.1: EdDSA with an Ed25519 key only (an X25519 key is for key agreement).
  if (kty === 'OKP') return key.asymmetricKeyType === 'ed25519';
  // RS* needs a plain RSA key; PS* may use either kind of RSA key (RFC 7518 §3.5).
  return (
    key.asymmetricKeyType === 'rsa' || (alg.startsWith('PS') && key.asymmetricKeyType === 'rsa-pss')
  );
}

/** The kinds of skipped keys a fetch logs about. */
type ReportKind = 'duplicate' | 'capped' | 'unusable' | 'refused' | 'ed448';

/** A published key, imported once, with the algorithms it may verify. */
interface ImportedKey {
  key: KeyObject;
  algorithms: ReadonlySet<SignatureAlgorithm>;
}

/** A JWK that may be a signing key: RSA, EC or OKP, with a kid, not marked for encryption. */
interface SigningJwk {
  kid: string;
  kty: string;
  alg?: unknown;
  [member: string]: unknown;
}

function isSigningJwk(value: unknown): value is SigningJwk {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  // RFC 7517 §4.2: a key whose `use` is not "sig" is not for verifying signatures.
  return (
    typeof jwk['kid'] === 'string' &&
    jwk['kid'].length > 0 &&
    typeof jwk['kty'] === 'string' &&
    Object.hasOwn(KEY_MEMBERS, jwk['kty']) &&
    (jwk['use'] === undefined || jwk['use'] === 'sig')
  );
}

/**
 * The members of a JWK handed to jwks-rsa: its identity and public members only, so that a
 * published private part (`d`, `p`, ...) never turns into a key here.
 */
function publicJwk(jwk: SigningJwk): Record<string, unknown> {
  const names = ['kty', 'kid', 'use', 'alg', ...KEY_MEMBERS[jwk.kty]!];
  return Object.fromEntries(
    names.filter((name) => Object.hasOwn(jwk, name)).map((name) => [name, jwk[name]]),
  );
}

/**
 * jwks-rsa's signing keys for these JWKs: its filter to signing keys and its JWK import (jose).
 * jwks-rsa exposes no converter of its own (`retrieveSigningKeys` is internal), so each slice gets
 * a client without cache or limiter whose fetcher hands it the slice; our fetcher and policy have
 * already fetched, capped and deduplicated the key set.
 */
async function signingKeysOf(
  jwksUri: string,
  jwks: readonly Record<string, unknown>[],
): Promise<jwksRsa.SigningKey[]> {
  const client = new jwksRsa.JwksClient({
    jwksUri,
    cache: false,
    rateLimit: false,
    fetcher: () => Promise.resolve({ keys: jwks }),
  });
  try {
    return await client.getSigningKeys();
  } catch (error) {
    // "did not contain any signing keys": none of this slice could be imported.
    if (error instanceof jwksRsa.JwksError) return [];
    throw error;
  }
}

/** The first {@link KIDS_NAMED} items of a log line's list, and how many more there are. */
function listed(items: readonly string[], separator = ', '): string {
  const named = items.slice(0, KIDS_NAMED);
  return items.length > KIDS_NAMED
    ? `${named.join(separator)} and ${items.length - KIDS_NAMED} more`
    : named.join(separator);
}

function quotedKid(kid: string): string {
  return JSON.stringify(kid.slice(0, 64));
}

function namedKids(kids: readonly string[]): string {
  return listed(kids.map(quotedKid));
}

/**
 * The issuer's whole key set, cached by kid and refreshed in the background: one fetch in flight, at
 * most one fetch per {@link KeySetPolicy.minFetchIntervalMs}, unknown kids remembered, stale keys
 * served while the issuer is down, and 503 rather than 401 when no key can be had. At most
 * {@link KeySetPolicy.maxKeys} keys are imported, by jwks-rsa from our own fetch, a slice at a time
 * between turns of the event loop, so that no key set, however large, holds up requests for the
 * keys already cached.
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
  /** The last line logged about each kind of key a fetch skipped, so that a repeat is not logged again. */
  private readonly reported = new Map<ReportKind, string>();
  /**
   * The last import, by kid, with the JWK members each key came from: a refresh hands jwks-rsa only
   * the keys that are new or changed. jwks-rsa and the KeyObject made from its PEM cost about
   * 0.3 ms of CPU a key, so re-importing 100 unchanged keys at every refresh would cost 30 ms.
   */
  private lastImport = new Map<string, { source: string; imported: ImportedKey }>();

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
    // An option given as `undefined` keeps its default rather than erasing it.
    const given = Object.entries(options.policy ?? {}).filter(([, value]) => value !== undefined);
    this.policy = { ...DEFAULT_KEY_SET_POLICY, ...Object.fromEntries(given) };
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
    // A kid a fetch did not find is answered from memory, unless the discovery document is due to
    // be read again: tokens that keep naming it may mean the document now points elsewhere.
    if (
      this.inFlight === undefined &&
      (!this.mayFetch() || (this.isRememberedUnknown(kid) && !this.metadata.recheckDue()))
    ) {
      throw this.unknownKid(kid, false);
    }
    await this.refresh();
    const found = this.usableKeys()?.get(kid);
    if (found === undefined) {
      // The key set may be the wrong one (a discovery document mended since): look again next time.
      this.metadata.recheck();
      throw this.unknownKid(kid, true);
    }
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
      ({ jwksUri } = await this.metadata.resolveForKeys());
      const { body, maxAgeSec } = await fetchJson(jwksUri, {
        timeoutMs: this.policy.timeoutMs,
        maxBytes: this.policy.maxBytes,
        dispatcher: this.options.dispatcher,
      });
      if (!Array.isArray(body['keys'])) throw new Error('the key set has no "keys" array');
      this.install(await this.importKeySet(jwksUri, body['keys']), maxAgeSec);
      this.options.observer?.jwksFetch('ok', this.now() - this.lastAttemptAt);
    } catch (error) {
      this.options.observer?.jwksFetch('error', this.now() - this.lastAttemptAt);
      // While keys cannot be had, the discovery document may have been mended: look again next time.
      this.metadata.recheck();
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

  /**
   * Imports the signing keys of a fetched key set: duplicated kids refused (RFC 7517 §4.5 leaves
   * them to the issuer to tell apart, and guessing could pick an attacker's), at most
   * {@link KeySetPolicy.maxKeys}, the new or changed ones converted by jwks-rsa a slice at a time,
   * and those too weak or too costly to verify with refused ({@link keyStrengthProblem}). Each kind
   * of skipped key costs one log line per fetch, and none while it is the same as last time.
   */
  private async importKeySet(
    jwksUri: string,
    published: readonly unknown[],
  ): Promise<Map<string, ImportedKey>> {
    const signing = published.filter(isSigningJwk);
    // Ed448 keys are refused by name: jose, which imports the keys, cannot make one (Ed25519 only).
    const ed448 = signing.filter((jwk) => jwk.kty === 'OKP' && jwk['crv'] === 'Ed448');
    this.report(
      'ed448',
      ed448.length === 0
        ? undefined
        : `Skipped the issuer's Ed448 key ${namedKids(ed448.map((jwk) => jwk.kid))}: ${UNSUPPORTED_ALGORITHM_REASONS['Ed448']}`,
    );
    const candidates = signing.filter((jwk) => !ed448.includes(jwk));
    const seen = new Map<string, number>();
    for (const jwk of candidates) seen.set(jwk.kid, (seen.get(jwk.kid) ?? 0) + 1);
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([kid]) => kid);
    this.report(
      'duplicate',
      duplicated.length === 0
        ? undefined
        : `The issuer's key set publishes kid ${namedKids(duplicated)} more than once; refused rather than guessed`,
    );
    const unique = candidates.filter((jwk) => seen.get(jwk.kid) === 1);
    const wanted = unique.slice(0, this.policy.maxKeys);
    this.report(
      'capped',
      unique.length > wanted.length
        ? `The issuer's key set has ${unique.length} signing keys; using the first ${wanted.length} and skipping ${unique.length - wanted.length} (keySetPolicy.maxKeys)`
        : undefined,
    );
    const keys = new Map<string, ImportedKey>();
    const sources = new Map<string, string>();
    const changed: Record<string, unknown>[] = [];
    for (const jwk of wanted) {
      const members = publicJwk(jwk);
      const source = JSON.stringify(members);
      const previous = this.lastImport.get(jwk.kid);
      if (previous?.source === source) keys.set(jwk.kid, previous.imported);
      else changed.push(members);
      sources.set(jwk.kid, source);
    }
    const unusable: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < changed.length; i += IMPORT_SLICE) {
      if (i > 0) await yieldToEventLoop();
      const slice = changed.slice(i, i + IMPORT_SLICE);
      // Kids are unique here (duplicates were refused above), so jwks-rsa's answer maps back by kid.
      const signingKeys = new Map(
        (await signingKeysOf(jwksUri, slice)).map((key) => [key.kid, key]),
      );
      for (const jwk of slice) {
        const kid = jwk['kid'] as string;
        const signingKey = signingKeys.get(kid);
        // A key jwks-rsa could not convert may still be refused for a reason worth naming.
        const imported =
          signingKey === undefined ? ecPointProblem(jwk) : this.importKey(signingKey);
        if (typeof imported === 'string') refused.push(`kid ${quotedKid(kid)}: ${imported}`);
        else if (imported === undefined) unusable.push(kid);
        else keys.set(kid, imported);
      }
    }
    this.lastImport = new Map(
      [...keys].map(([kid, imported]) => [kid, { source: sources.get(kid)!, imported }]),
    );
    this.report(
      'unusable',
      unusable.length === 0
        ? undefined
        : `Skipped ${unusable.length} of the issuer's keys: malformed, or for none of [${this.options.algorithms.join(', ')}]: ${namedKids(unusable)}`,
    );
    this.report(
      'refused',
      refused.length === 0
        ? undefined
        : `Refused ${refused.length} of the issuer's keys: ${listed(refused, '; ')}`,
    );
    return keys;
  }

  /** Logs a line about skipped keys unless it says what the last one of its kind said. */
  private report(kind: ReportKind, line: string | undefined): void {
    if (line === undefined) {
      this.reported.delete(kind);
    } else if (this.reported.get(kind) !== line) {
      this.reported.set(kind, line);
      this.options.logger.warn(line);
    }
  }

  private install(keys: Map<string, ImportedKey>, maxAgeSec: number | undefined): void {
    if (keys.size === 0) {
      throw new Error('the key set has no usable signing key with a kid');
    }
    const maxAgeMs = Math.min(
      this.policy.maxMaxAgeMs,
      Math.max(
        this.policy.minMaxAgeMs,
        maxAgeSec === undefined ? this.policy.defaultMaxAgeMs : maxAgeSec * 1000,
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

  /**
   * The key with the algorithms it may verify; why it is refused; or `undefined` when it is
   * malformed or fits none of the algorithms. Skipped either way, never fatal: the rest of the set
   * still works.
   */
  private importKey(signingKey: jwksRsa.SigningKey): ImportedKey | string | undefined {
    let key: KeyObject;
    try {
      key = createPublicKey(signingKey.getPublicKey());
    } catch {
      return undefined;
    }
    // RFC 8725 §3.5: the KeyObject that would verify is checked, before any token can name it.
    const problem = keyStrengthProblem(key, this.policy);
    if (problem !== undefined) return problem;
    // RFC 7517 §4.4: a JWK that names its `alg` is for that algorithm alone (jwks-rsa passes it on).
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
