import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TestIssuer as KitTestIssuer, type TokenOptions } from '../../src/auth/testing/index.js';

import type { TestKey } from '../../src/auth/testing/index.js';
export { makeKey, type TestKey } from '../../src/auth/testing/index.js';

/** What the test issuer's endpoints do: answer, or misbehave in one of the ways an issuer can. */
export type EndpointBehaviour = 'ok' | 'http-500' | 'http-404' | 'bad-json' | 'hang' | 'huge';

/** Token claims and header overrides; `undefined` values drop the default. */
export type TokenOverrides = TokenOptions;

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
 * The testing kit's issuer (src/auth/testing) with what only this repository's tests need: an
 * issuer that misbehaves on demand (500, 404, bad JSON, hanging, huge, slow), publishes a wrong
 * issuer or extra JWKs, and counts hits.
 */
export class TestIssuer extends KitTestIssuer {
  /** The `issuer` value published in discovery (defaults to {@link url}). */
  publishedIssuer: string | undefined;
  /** The `jwks_uri` published in discovery (defaults to {@link jwksUri}). */
  publishedJwksUri: string | undefined;
  discovery: EndpointBehaviour = 'ok';
  jwks: EndpointBehaviour = 'ok';
  hits = { discovery: 0, jwks: 0 };
  /** Delay before each JWKS answer, ms (a slow issuer). */
  jwksDelayMs = 0;
  /** `Cache-Control` sent with the JWKS, if any. */
  jwksCacheControl: string | undefined;
  /** Raw JWKs published after the real keys (malformed or unusable ones, say). */
  extraJwks: Record<string, unknown>[] = [];
  private readonly hanging = new Set<ServerResponse>();

  constructor(audience = 'https://api.test/') {
    super({ audience, subject: 'auth0|user-1' });
  }

  override async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await super.stop();
  }

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/.well-known/openid-configuration') {
      this.hits.discovery += 1;
      this.answer(res, this.discovery, {
        ...this.discoveryDocument(),
        issuer: this.publishedIssuer ?? this.url,
        jwks_uri: this.publishedJwksUri ?? this.jwksUri,
      });
    } else if (req.url === '/.well-known/jwks.json') {
      this.hits.jwks += 1;
      const send = () =>
        this.answer(
          res,
          this.jwks,
          { keys: [...this.keySet().keys, ...this.extraJwks] },
          this.jwksCacheControl,
        );
      if (this.jwksDelayMs > 0) setTimeout(send, this.jwksDelayMs);
      else send();
    } else {
      super.handle(req, res);
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
