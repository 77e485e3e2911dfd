import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signJwt } from './tokens.js';

/** A signing key of the test issuer. */
export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Published JWK fields beyond the key itself (alg, use); `undefined` to omit. */
  jwkExtras: Record<string, unknown>;
}

/** What the test issuer's endpoints do: answer, or misbehave in one of the ways an issuer can. */
export type EndpointBehaviour = 'ok' | 'http-500' | 'http-404' | 'bad-json' | 'hang' | 'huge';

/** Token claims and header overrides; `undefined` values drop the default. */
export interface TokenOverrides {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with this key instead of the current one. */
  key?: TestKey;
}

/** Makes an RSA signing key with a fresh kid. */
export function makeKey(
  kid: string = randomUUID(),
  jwkExtras: Record<string, unknown> = { alg: 'RS256', use: 'sig' },
): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwkExtras };
}

/** Makes an Ed25519 (or Ed448) signing key with a fresh kid (RFC 8037: a JWK of kty OKP). */
export function makeEdKey(
  kid: string = randomUUID(),
  jwkExtras: Record<string, unknown> = { alg: 'EdDSA', use: 'sig' },
  curve: 'ed25519' | 'ed448' = 'ed25519',
): TestKey {
  const { privateKey, publicKey } =
    curve === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
  return { kid, privateKey, publicKey, jwkExtras };
}

/**
 * A real OpenID issuer on 127.0.0.1:0 for tests: discovery, a JWKS it can rotate or break on demand,
 * hit counters, and token minting with safe defaults.
 */
export class TestIssuer {
  /** The issuer identifier, with Auth0's trailing slash. */
  url = '';
  /** The `issuer` value published in discovery (defaults to {@link url}). */
  publishedIssuer: string | undefined;
  /** The `jwks_uri` published in discovery (defaults to {@link jwksUri}). */
  publishedJwksUri: string | undefined;
  keys: TestKey[] = [makeKey()];
  discovery: EndpointBehaviour = 'ok';
  jwks: EndpointBehaviour = 'ok';
  hits = { discovery: 0, jwks: 0 };
  /** Delay before each JWKS answer, ms (a slow issuer). */
  jwksDelayMs = 0;
  /** `Cache-Control` sent with the JWKS, if any. */
  jwksCacheControl: string | undefined;
  /** Raw JWKs published after the real keys (malformed or unusable ones, say). */
  extraJwks: Record<string, unknown>[] = [];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  constructor(readonly audience = 'https://api.test/') {}

  get jwksUri(): string {
    return `${this.url}.well-known/jwks.json`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  /**
   * A valid access token (RS256, or for an Edwards key its JWK's alg, EdDSA by default); per-test
   * overrides replace (or with `undefined`, remove) defaults.
   */
  token(overrides: TokenOverrides = {}): string {
    const key = overrides.key ?? this.keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    const alg = ['ed25519', 'ed448'].includes(key.publicKey.asymmetricKeyType ?? '')
      ? (key.jwkExtras['alg'] ?? 'EdDSA')
      : 'RS256';
    const header = prune({ alg, typ: 'JWT', kid: key.kid, ...overrides.header });
    const claims = prune({
      iss: this.url,
      aud: this.audience,
      sub: 'auth0|user-1',
      iat: now,
      exp: now + 300,
      ...overrides.claims,
    });
    return signJwt(header, claims, key.privateKey);
  }

  /** Replaces the published keys with a new one (the old kid disappears). */
  rotate(): TestKey {
    const key = makeKey();
    this.keys = [key];
    return key;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/.well-known/openid-configuration') {
      this.hits.discovery += 1;
      this.answer(res, this.discovery, {
        issuer: this.publishedIssuer ?? this.url,
        jwks_uri: this.publishedJwksUri ?? this.jwksUri,
      });
    } else if (req.url === '/.well-known/jwks.json') {
      this.hits.jwks += 1;
      const keys = this.keys.map((k) => ({
        ...k.publicKey.export({ format: 'jwk' }),
        kid: k.kid,
        ...k.jwkExtras,
      }));
      const send = () =>
        this.answer(res, this.jwks, { keys: [...keys, ...this.extraJwks] }, this.jwksCacheControl);
      if (this.jwksDelayMs > 0) setTimeout(send, this.jwksDelayMs);
      else send();
    } else {
      res.writeHead(404).end();
    }
  }

  private answer(
    res: ServerResponse,
    behaviour: EndpointBehaviour,
    body: unknown,
    cacheControl?: string,
  ): void {
    switch (behaviour) {
      case 'ok':
        res
          .writeHead(200, {
            'content-type': 'application/json',
            ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
          })
          .end(JSON.stringify(body));
        return;
      case 'huge':
        // The real key set padded to 2 MiB and streamed without a content-length: only a size cap refuses it.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify(body).slice(0, -1)},"padding":"`);
        for (let i = 0; i < 32; i += 1) res.write('x'.repeat(65_536));
        res.end('"}');
        return;
      case 'http-500':
        res.writeHead(500).end('internal error');
        return;
      case 'http-404':
        res.writeHead(404).end('not found');
        return;
      case 'bad-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
        return;
      case 'hang':
        this.hanging.add(res);
        return;
    }
  }
}

function prune(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
