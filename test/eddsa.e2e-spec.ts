import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthOptions,
  type Principal,
} from '../src/auth/index.js';
import { IssuerMetadataResolver } from '../src/auth/core/issuer-metadata.js';
import { JwksKeyProvider } from '../src/auth/core/key-provider.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { expectInvalidToken } from './support/expect-auth.js';
import { makeEdKey, makeKey, TestIssuer } from './support/test-issuer.js';

@Controller('host')
@UseGuards(JwtAuthGuard, ScopesGuard)
class HostController {
  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @Get('scoped')
  @Scopes('read:messages')
  scoped(): string {
    return 'scoped';
  }
}

function hostModule(options: AuthOptions): DynamicModule {
  @Module({ imports: [AuthModule.forRoot(options)], controllers: [HostController] })
  class HostModule {}
  return { module: HostModule };
}

const bearer = (token: string) => `Bearer ${token}`;

/** An issuer publishing Ed25519 keys for EdDSA and for Ed25519 (RFC 9864), and an RSA key. */
function edIssuer(): TestIssuer {
  const issuer = new TestIssuer('https://api.ed.example/');
  issuer.keys = [
    makeEdKey('ed-eddsa'),
    makeEdKey('ed-ed25519', { alg: 'Ed25519', use: 'sig' }),
    makeEdKey('ed-no-alg', { use: 'sig' }),
    makeKey('rsa'),
  ];
  return issuer;
}

describe.each(ADAPTERS)('EdDSA allowed on %s', (adapter) => {
  const issuer = edIssuer();
  let running: RunningApp;
  const [eddsa, ed25519, noAlg, rsa] = [0, 1, 2, 3].map((i) => issuer.keys[i]!);
  const call = (token: string, path = 'host/me') => get(running.url, path, bearer(token));

  beforeAll(async () => {
    await issuer.start();
    running = await startApp(
      hostModule({
        issuerUrl: issuer.url,
        audience: issuer.audience,
        algorithms: ['RS256', 'EdDSA', 'Ed25519'],
      }),
      adapter,
    );
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  it('accepts tokens signed with Ed25519 keys under alg EdDSA and alg Ed25519', async () => {
    const token = issuer.token({ key: eddsa, claims: { sub: 'ed-user' } });
    const first = await call(token);
    expect(first.status).toBe(200);
    expect((first.body as Principal).sub).toBe('ed-user');
    expect((await call(token)).status).toBe(200); // again, from the verified-token cache
    expect((await call(issuer.token({ key: ed25519 }))).status).toBe(200);
    // A JWK without alg may verify either name of the algorithm.
    for (const alg of ['EdDSA', 'Ed25519']) {
      expect((await call(issuer.token({ key: noAlg, header: { alg } }))).status).toBe(200);
    }
    expect((await call(issuer.token({ key: rsa }))).status).toBe(200);
  });

  it('runs every claim and scope check on EdDSA tokens as on any other', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectInvalidToken(
      await call(issuer.token({ key: eddsa, claims: { exp: now - 3600 } })),
      /token expired/,
    );
    expectInvalidToken(
      await call(issuer.token({ key: eddsa, claims: { aud: 'https://other.example/' } })),
      /audience not accepted/,
    );
    const lacking = await call(issuer.token({ key: eddsa }), 'host/scoped');
    expect(lacking.status).toBe(403);
    expect(lacking.challenge).toMatch(/error="insufficient_scope"/);
    const scoped = await call(
      issuer.token({ key: eddsa, claims: { scope: 'read:messages' } }),
      'host/scoped',
    );
    expect(scoped.status).toBe(200);
  });

  it('refuses an EdDSA token whose signature is not the published key', async () => {
    const forged = issuer.token({ key: { ...makeEdKey('ed-eddsa'), jwkExtras: {} } });
    expectInvalidToken(await call(forged), /signature verification failed/);
    const token = issuer.token({ key: eddsa });
    const flipped = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
    expectInvalidToken(await call(flipped), /signature verification failed|malformed/);
  });

  it('answers 401 (or 200 for a change that decodes to the same bytes), never 500, to altered EdDSA tokens', async () => {
    const token = issuer.token({ key: eddsa });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    const statuses = new Set<number>();
    for (let i = 0; i < 80; i += 1) {
      const at = (i * 37) % token.length;
      const altered = `${token.slice(0, at)}${alphabet[(i * 11) % alphabet.length]}${token.slice(at + 1)}`;
      const reply = await call(altered);
      statuses.add(reply.status);
      if (reply.status !== 200) expect(reply.status).toBe(401);
    }
    expect(statuses.has(401)).toBe(true);
  });

  it('never lets an Ed25519 key verify an RS256 token, nor an RSA key an EdDSA token', async () => {
    // RS256 named in the header, signed with the RSA key, but pointing at an Ed25519 kid.
    expectInvalidToken(
      await call(issuer.token({ key: { ...rsa, kid: eddsa.kid }, header: { alg: 'RS256' } })),
      /signing key does not fit the token/,
    );
    // EdDSA named in the header, signed with an Ed25519 key, but pointing at the RSA kid.
    expectInvalidToken(
      await call(issuer.token({ key: { ...eddsa, kid: rsa.kid }, header: { alg: 'EdDSA' } })),
      /signing key does not fit the token/,
    );
    // RFC 7517 §4.4, RFC 9864: a key published for Ed25519 does not verify alg EdDSA, nor the reverse.
    expectInvalidToken(
      await call(issuer.token({ key: ed25519, header: { alg: 'EdDSA' } })),
      /signing key does not fit the token/,
    );
    expectInvalidToken(
      await call(issuer.token({ key: eddsa, header: { alg: 'Ed25519' } })),
      /signing key does not fit the token/,
    );
  });

  it('refuses alg Ed448 as an algorithm it does not accept', async () => {
    const ed448 = makeEdKey('ed-eddsa', { alg: 'Ed448' }, 'ed448');
    expectInvalidToken(await call(issuer.token({ key: ed448 })), /signing algorithm not accepted/);
  });
});

describe('EdDSA not allowed (the default)', () => {
  const issuer = edIssuer();
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    running = await startApp(
      hostModule({ issuerUrl: issuer.url, audience: issuer.audience }),
      'fastify',
    );
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  it('refuses EdDSA and Ed25519 tokens and still accepts RS256 ones', async () => {
    for (const key of [issuer.keys[0]!, issuer.keys[1]!]) {
      expectInvalidToken(
        await get(running.url, 'host/me', bearer(issuer.token({ key }))),
        /signing algorithm not accepted/,
      );
    }
    const rs256 = await get(running.url, 'host/me', bearer(issuer.token({ key: issuer.keys[3] })));
    expect(rs256.status).toBe(200);
  });
});

describe('Ed448', () => {
  it('is refused at start-up with the reason', async () => {
    await expect(
      startApp(
        hostModule({ issuerUrl: 'https://a.example/', audience: 'x', algorithms: ['Ed448'] }),
        'fastify',
      ),
    ).rejects.toThrow(/AuthOptions\.algorithms contains "Ed448": Ed448 cannot be verified here/);
  });

  it('skips a published Ed448 key with one log line naming it and why, and keeps the Ed25519 ones', async () => {
    const issuer = new TestIssuer();
    issuer.keys = [makeEdKey('ed25519-key'), makeEdKey('ed448-key', { use: 'sig' }, 'ed448')];
    await issuer.start();
    const lines: string[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (line: string) => void lines.push(line),
    };
    const metadata = new IssuerMetadataResolver({
      issuerUrl: issuer.url,
      jwksUri: issuer.jwksUri,
      timeoutMs: 2_000,
      retryIntervalMs: 1_000,
      logger,
    });
    const keys = new JwksKeyProvider(metadata, { algorithms: ['EdDSA'], logger });
    try {
      await keys.warm();
      expect(keys.hasKey('ed25519-key')).toBe(true);
      expect(keys.hasKey('ed448-key')).toBe(false);
      expect(lines).toEqual([
        expect.stringMatching(
          /^Skipped the issuer's Ed448 key "ed448-key": Ed448 cannot be verified here/,
        ),
      ]);
    } finally {
      keys.close();
      await issuer.stop();
    }
  });
});
