import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthOptions } from '../core/options.js';
import { isEdwardsKey, signJws } from './jws.js';

/** A signing key of a {@link TestIssuer}. */
export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Published JWK fields beyond the key itself (alg, use). */
  jwkExtras: Record<string, unknown>;
}

/** Makes a 2048-bit RSA signing key (RS256) with a fresh kid. */
export function makeKey(
  kid: string = randomUUID(),
  jwkExtras: Record<string, unknown> = { alg: 'RS256', use: 'sig' },
): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwkExtras };
}

/** How a {@link TestIssuer} is set up. */
export interface TestIssuerOptions {
  /**
   * The audience its tokens carry, and the one {@link TestIssuer.authOptions} expects.
   * @default 'https://api.test/'
   */
  audience?: string;
  /**
   * The `sub` of tokens that do not name one.
   * @default 'test-user'
   */
  subject?: string;
}

/** What one token says; every field is optional and has a safe default. */
export interface TokenOptions {
  /** The token's subject. @default the issuer's `subject` */
  sub?: string;
  /** Granted scopes, sent as the space-separated `scope` claim (RFC 9068 §2.2.3). @default none */
  scopes?: readonly string[];
  /** The `aud` claim. @default the issuer's audience */
  audience?: string | readonly string[];
  /** Seconds from now to `exp`; negative for a token that has already expired. @default 300 */
  expiresInSec?: number;
  /** Any claims, applied last: they replace the defaults, and an `undefined` value removes one. */
  claims?: Record<string, unknown>;
  /** JWS header fields, applied last the same way (`alg`, `typ`, `kid`). */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the issuer's current one. */
  key?: TestKey;
}

/**
 * An OpenID issuer for tests, on 127.0.0.1 in the test's own process: a discovery document, a JSON
 * Web Key Set whose RSA keys are made when the issuer is created, and a token factory. Point
 * `AuthModule` at it with {@link TestIssuer.authOptions} so that tests go through the real
 * verification; it imports no test framework.
 */
export class TestIssuer {
  /** Makes an issuer and starts it. */
  static async start(options: TestIssuerOptions = {}): Promise<TestIssuer> {
    return new TestIssuer(options).start();
  }

  /** The issuer identifier (the tokens' `iss`), with a trailing slash; set by {@link start}. */
  url = '';
  /** The keys published in the JWKS; the first one signs. */
  keys: TestKey[] = [makeKey()];
  /** The audience tokens carry by default. */
  readonly audience: string;
  /** The subject tokens carry by default. */
  readonly subject: string;
  /** The HTTP server while it runs. */
  protected server: Server | undefined;

  constructor(options: TestIssuerOptions = {}) {
    this.audience = options.audience ?? 'https://api.test/';
    this.subject = options.subject ?? 'test-user';
  }

  /** Where the JWKS is served. */
  get jwksUri(): string {
    return `${this.url}.well-known/jwks.json`;
  }

  /** Listens on a free loopback port. */
  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Closes the server and every connection to it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * `AuthModule` options that accept this issuer's tokens: pass them to `AuthModule.forRoot`, or to
   * `overrideProvider(AUTH_OPTIONS).useValue(...)` to point an existing app module at the issuer.
   * `options` are kept (realm, clock tolerance, ...) except the issuer, audience, key location and
   * algorithms, which are this issuer's.
   */
  authOptions(options: Partial<AuthOptions> = {}): AuthOptions {
    return {
      ...options,
      issuerUrl: this.url,
      audience: this.audience,
      // Found through this issuer's discovery document, fetched directly (never through a proxy).
      jwksUri: undefined,
      fetchDispatcher: undefined,
      // The issuer signs with RS256, whatever the app accepts in production.
      algorithms: ['RS256'],
    };
  }

  /**
   * A valid access token: RS256, or for an Edwards-curve key (Ed25519) its JWK's `alg`, `EdDSA` by
   * default.
   */
  token(options: TokenOptions = {}): string {
    const key = options.key ?? this.keys[0]!;
    const now = nowSec();
    const alg = isEdwardsKey(key.publicKey) ? (key.jwkExtras['alg'] ?? 'EdDSA') : 'RS256';
    const header = prune({ alg, typ: 'JWT', kid: key.kid, ...options.header });
    const claims = prune({
      iss: this.url,
      aud: options.audience ?? this.audience,
      sub: options.sub ?? this.subject,
      scope: options.scopes?.join(' '),
      iat: now,
      exp: now + (options.expiresInSec ?? 300),
      ...options.claims,
    });
    return signJws(header, claims, key.privateKey);
  }

  /** A token that expired an hour ago (well past any clock tolerance), otherwise valid. */
  expiredToken(options: TokenOptions = {}): string {
    return this.token({
      ...options,
      expiresInSec: -3600,
      claims: { iat: nowSec() - 7200, ...options.claims },
    });
  }

  /** A token whose header names the current key but whose signature was made by another key. */
  wronglySignedToken(options: TokenOptions = {}): string {
    const current = options.key ?? this.keys[0]!;
    return this.token({ ...options, key: makeKey(current.kid) });
  }

  /** Replaces the published keys with a new one (the old kid disappears). */
  rotate(): TestKey {
    const key = makeKey();
    this.keys = [key];
    return key;
  }

  /** The discovery document (OpenID Connect Discovery 1.0 §4). */
  protected discoveryDocument(): Record<string, unknown> {
    return { issuer: this.url, jwks_uri: this.jwksUri };
  }

  /** The published key set. */
  protected keySet(): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.map((k) => ({
        ...k.publicKey.export({ format: 'jwk' }),
        kid: k.kid,
        ...k.jwkExtras,
      })),
    };
  }

  /** Answers one request; a subclass may override it to misbehave. */
  protected handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/.well-known/openid-configuration') {
      sendJson(res, this.discoveryDocument());
    } else if (req.url === '/.well-known/jwks.json') {
      sendJson(res, this.keySet());
    } else {
      res.writeHead(404).end();
    }
  }
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function prune(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
