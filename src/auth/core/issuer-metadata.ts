import { JwksUnavailableError } from './errors.js';
import type { Dispatcher } from 'undici';
import { FetchJsonError, fetchJson, unavailable } from './fetch-json.js';
import { keySourceProblem, parseSecureUrl } from './http-url.js';
import type { AuthLogger } from './logger.js';

/** Where an issuer's keys are, and the exact `iss` its tokens carry. */
export interface IssuerMetadata {
  issuer: string;
  jwksUri: string;
}

/** Discovery documents are a few KiB; 1 MiB leaves room and still bounds memory. */
const DISCOVERY_MAX_BYTES = 1024 * 1024;

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Resolves an issuer's metadata: from the configured JWKS URI when there is one, else from the
 * issuer's OpenID discovery document, else (when the issuer has no such document) from
 * `<issuer>/.well-known/jwks.json`. Failures that may pass (unreachable, 5xx) are retried after a
 * few seconds. A resolved answer is kept until the key provider finds it wanting ({@link recheck}),
 * so that a mended discovery document takes effect without a restart.
 */
export class IssuerMetadataResolver {
  private resolved: IssuerMetadata | undefined;
  private pending: Promise<IssuerMetadata> | undefined;
  private failure: { error: JwksUnavailableError; at: number } | undefined;
  private outageLogged = false;
  /** Whether the resolved metadata should be discovered again, once the retry interval allows. */
  private doubted = false;
  private discoveredAt = -Infinity;
  /** The last discovery problem logged, so that each is logged once rather than at every retry. */
  private lastLogged: string | undefined;

  constructor(
    private readonly options: {
      issuerUrl: string;
      jwksUri?: string;
      timeoutMs: number;
      /** How long a failed discovery is remembered before it is tried again, in milliseconds. */
      retryIntervalMs: number;
      dispatcher?: Dispatcher;
      logger: AuthLogger;
    },
  ) {
    if (options.jwksUri !== undefined) {
      this.resolved = { issuer: options.issuerUrl, jwksUri: options.jwksUri };
    }
  }

  /**
   * Asks for the discovery document to be fetched again at the next {@link resolveForKeys}, at most once
   * per retry interval: the key set it led to keeps failing, or lacks a kid that tokens name.
   * Does nothing when the JWKS URI was configured.
   */
  recheck(): void {
    if (this.options.jwksUri === undefined && this.resolved !== undefined) this.doubted = true;
  }

  /**
   * The metadata for a key-set fetch: as {@link resolve}, but discovered again first when
   * {@link recheck} asked for it and the retry interval has passed since the last discovery.
   */
  resolveForKeys(): Promise<IssuerMetadata> {
    const current = this.resolved;
    if (current === undefined || !this.recheckDue()) return this.resolve();
    this.pending ??= this.rediscover(current);
    return this.pending;
  }

  /** Whether {@link resolveForKeys} would discover again now. */
  recheckDue(): boolean {
    return this.doubted && Date.now() - this.discoveredAt >= this.options.retryIntervalMs;
  }

  /** The metadata, discovering it on first use; throws {@link JwksUnavailableError} while it cannot be had. */
  resolve(): Promise<IssuerMetadata> {
    if (this.resolved !== undefined) return Promise.resolve(this.resolved);
    const sinceFailure = this.failure === undefined ? Infinity : Date.now() - this.failure.at;
    if (sinceFailure < this.options.retryIntervalMs) {
      return Promise.reject(
        this.failure!.error.retryAfter(
          Math.ceil((this.options.retryIntervalMs - sinceFailure) / 1000),
        ),
      );
    }
    this.pending ??= this.discover().then(
      (metadata) => {
        this.doubted = false;
        if (this.outageLogged) this.options.logger.log('Issuer metadata available again');
        this.resolved = metadata;
        this.failure = undefined;
        this.outageLogged = false;
        this.pending = undefined;
        return metadata;
      },
      (error: JwksUnavailableError) => {
        this.failure = { error, at: Date.now() };
        this.pending = undefined;
        // Once per outage, not once per request or retry.
        if (!this.outageLogged) {
          this.options.logger.warn(`Issuer metadata unavailable: ${error.detail ?? error.message}`);
          this.outageLogged = true;
        }
        throw error;
      },
    );
    return this.pending;
  }

  /** Discovers again; keeps the metadata it has when that fails, and logs a changed jwks_uri. */
  private rediscover(current: IssuerMetadata): Promise<IssuerMetadata> {
    return this.discover().then(
      (metadata) => {
        if (metadata.jwksUri !== current.jwksUri) {
          this.options.logger.warn(
            `The issuer's jwks_uri changed from ${current.jwksUri} to ${metadata.jwksUri}`,
          );
        }
        this.resolved = metadata;
        this.doubted = false;
        this.pending = undefined;
        return metadata;
      },
      () => {
        this.pending = undefined;
        return current;
      },
    );
  }

  /** Logs a discovery problem unless it is the one logged last. */
  private warnOnce(line: string): void {
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    this.options.logger.warn(line);
  }

  private async discover(): Promise<IssuerMetadata> {
    this.discoveredAt = Date.now();
    const configured = this.options.issuerUrl;
    const base = withTrailingSlash(configured);
    const discoveryUrl = new URL('.well-known/openid-configuration', base).href;
    let document: Record<string, unknown>;
    try {
      ({ body: document } = await fetchJson(discoveryUrl, {
        timeoutMs: this.options.timeoutMs,
        maxBytes: DISCOVERY_MAX_BYTES,
        dispatcher: this.options.dispatcher,
      }));
    } catch (error) {
      if (error instanceof FetchJsonError && error.kind === 'invalid') {
        const jwksUri = new URL('.well-known/jwks.json', base).href;
        this.warnOnce(
          `No OpenID discovery document at ${discoveryUrl} (${error.message}); using ${jwksUri}`,
        );
        return { issuer: configured, jwksUri };
      }
      throw unavailable(
        'discovery',
        discoveryUrl,
        error,
        Math.ceil(this.options.retryIntervalMs / 1000),
      );
    }
    return {
      issuer: this.issuerFrom(document, discoveryUrl),
      jwksUri: this.jwksUriFrom(document, discoveryUrl),
    };
  }

  private issuerFrom(document: Record<string, unknown>, discoveryUrl: string): string {
    const configured = this.options.issuerUrl;
    const published = document['issuer'];
    if (published === configured) return configured;
    // Auth0 issuers end with "/" and people often leave it off; that one difference is forgiven,
    // because the discovery document is the issuer's own word on its exact `iss`.
    if (
      typeof published === 'string' &&
      withTrailingSlash(published) === withTrailingSlash(configured)
    ) {
      this.warnOnce(
        `The configured issuer ${JSON.stringify(configured)} differs from the issuer's discovery document ` +
          `only by a trailing slash; tokens must carry iss ${JSON.stringify(published)}. Configure that value to silence this.`,
      );
      return published;
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
    throw unavailable(
      'discovery',
      discoveryUrl,
      new Error(
        `document names issuer ${JSON.stringify(published)}, expected ${JSON.stringify(configured)}`,
      ),
    );
  }

  private jwksUriFrom(document: Record<string, unknown>, discoveryUrl: string): string {
    const jwksUri = document['jwks_uri'];
    const parsed = typeof jwksUri === 'string' ? parseSecureUrl(jwksUri) : 'is missing';
    if (typeof parsed === 'string') {
      throw unavailable('discovery', discoveryUrl, new Error(`jwks_uri ${parsed}`));
    }
    const problem = keySourceProblem(parsed, new URL(this.options.issuerUrl));
    if (problem !== undefined) {
      this.warnOnce(`Refused the discovered jwks_uri ${parsed.href}: it ${problem}`);
      throw unavailable('discovery', discoveryUrl, new Error(`jwks_uri refused: it ${problem}`));
    }
    return parsed.href;
  }
}
