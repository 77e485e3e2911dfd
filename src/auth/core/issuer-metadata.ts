import { JwksUnavailableError } from './errors.js';
import type { Dispatcher } from 'undici';
import { FetchJsonError, fetchJson, unavailable } from './fetch-json.js';
import { parseSecureUrl } from './http-url.js';
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
 * Resolves an issuer's metadata once: from the configured JWKS URI when there is one, else from the
 * issuer's OpenID discovery document, else (when the issuer has no such document) from
 * `<issuer>/.well-known/jwks.json`. Failures that may pass (unreachable, 5xx) are retried after a
 * few seconds; a resolved answer is kept for the life of the process.
 */
export class IssuerMetadataResolver {
  private resolved: IssuerMetadata | undefined;
  private pending: Promise<IssuerMetadata> | undefined;
  private failure: { error: JwksUnavailableError; at: number } | undefined;
  private outageLogged = false;

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

  private async discover(): Promise<IssuerMetadata> {
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
        this.options.logger.warn(
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
      this.options.logger.warn(
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
    return parsed.href;
  }
}
