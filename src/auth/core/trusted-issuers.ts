import type { KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithms.js';
import { InvalidTokenError } from './errors.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';
import type { JwksKeyProvider, KeyProvider, KeySetStatus } from './key-provider.js';
import type { IssuerSettings } from './options.js';

/** One trusted issuer: its settings, its metadata and its own key set, never shared with another. */
export interface TrustedIssuer {
  settings: IssuerSettings;
  metadata: IssuerMetadataResolver;
  keys: JwksKeyProvider;
}

/** A trusted issuer's key-set state, for readiness probes. */
export interface IssuerKeySetStatus extends KeySetStatus {
  issuer: string;
}

/**
 * The trusted issuers, selected by a token's unverified `iss`: the claim only picks among the
 * configured issuers (RFC 8725 §3.8, jwks-rsa#214), so an unlisted `iss` is refused before any
 * fetch, and each issuer's tokens are checked with its own keys, audiences and algorithms alone.
 * Selection compares exactly, forgiving only a trailing slash, as the discovery step does; the
 * verified `iss` is then compared exactly with the issuer's own identifier by the claim checks.
 */
export class TrustedIssuers implements KeyProvider {
  private readonly byIss = new Map<string, TrustedIssuer>();

  constructor(readonly issuers: readonly TrustedIssuer[]) {
    for (const issuer of issuers) {
      const url = issuer.settings.issuerUrl;
      this.byIss.set(url, issuer);
      this.byIss.set(url.endsWith('/') ? url.slice(0, -1) : `${url}/`, issuer);
    }
  }

  /** The trusted issuer a token's `iss` names, or `undefined`. */
  select(iss: unknown): TrustedIssuer | undefined {
    return typeof iss === 'string' ? this.byIss.get(iss) : undefined;
  }

  /** The trusted issuer a token's `iss` names; throws `InvalidTokenError` when it names none. */
  require(iss: unknown): TrustedIssuer {
    const issuer = this.select(iss);
    if (issuer === undefined) {
      throw new InvalidTokenError('issuer not accepted', {
        detail: `iss ${JSON.stringify(iss)} is not a trusted issuer`,
      });
    }
    return issuer;
  }

  /** The key of the issuer `issuer` names (the only one when omitted and there is just one). */
  getKey(kid: string, alg: SignatureAlgorithm, issuer?: string): Promise<KeyObject> {
    try {
      return this.of(issuer).keys.getKey(kid, alg);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  hasKey(kid: string, issuer?: string): boolean {
    const trusted = issuer === undefined ? this.only() : this.select(issuer);
    return trusted?.keys.hasKey(kid) ?? false;
  }

  /** Fetches every issuer's key set now (start-up warm-up), each on its own; never throws. */
  async warm(): Promise<void> {
    await Promise.all(this.issuers.map((issuer) => issuer.keys.warm()));
  }

  /** Stops every background refresh. */
  close(): void {
    for (const issuer of this.issuers) issuer.keys.close();
  }

  /** Each issuer's key-set state, in configuration order. */
  statuses(): IssuerKeySetStatus[] {
    return this.issuers.map((issuer) => ({
      issuer: issuer.settings.issuerUrl,
      ...issuer.keys.status(),
    }));
  }

  /**
   * The key sets' state as one: with one issuer, its own. With several, usable while any issuer's
   * keys are: one identity provider's outage must not take the instance out of rotation for the
   * tokens of the others (every instance sees the same outage).
   */
  status(): KeySetStatus {
    if (this.issuers.length === 1) return this.issuers[0]!.keys.status();
    const all = this.statuses();
    const ages = all.flatMap((s) => (s.ageMs === undefined ? [] : [s.ageMs]));
    const failing = all.filter((s) => s.lastError !== undefined);
    return {
      usable: all.some((s) => s.usable),
      keyCount: all.reduce((sum, s) => sum + s.keyCount, 0),
      ageMs: ages.length === 0 ? undefined : Math.max(...ages),
      fresh: all.every((s) => s.fresh),
      fetched: all.some((s) => s.fetched),
      fetching: all.some((s) => s.fetching),
      lastError:
        failing.length === 0
          ? undefined
          : failing.map((s) => `${s.issuer}: ${s.lastError}`).join('; '),
    };
  }

  private only(): TrustedIssuer | undefined {
    return this.issuers.length === 1 ? this.issuers[0] : undefined;
  }

  private of(issuer: string | undefined): TrustedIssuer {
    const only = issuer === undefined ? this.only() : undefined;
    return only ?? this.require(issuer);
  }
}
