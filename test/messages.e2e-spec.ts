import { generateKeyPairSync } from 'node:crypto';
import { AppModule } from '../src/app.module.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { get, rawGet } from './support/http.js';
import { makeKey, TestIssuer } from './support/test-issuer.js';
import { signJwt } from './support/tokens.js';

const PUBLIC = {
  message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
};
const PRIVATE = {
  message: 'Hello from a private endpoint! You need to be authenticated to see this.',
};
const SCOPED = {
  message:
    'Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.',
};

describe.each(ADAPTERS)('messages API on %s', (adapter) => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let running: RunningApp;
  const realm = 'Bearer realm="https://quickstarts/api"';

  // Published from the start: a key set is read once and kept, so keys added later are not seen at once.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const weakKey = { kid: 'weak', privateKey, publicKey, jwkExtras: { alg: 'RS256', use: 'sig' } };
  issuer.keys.push(weakKey);

  beforeAll(async () => {
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    running = await startApp(AppModule.forRoot(), adapter);
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  const call = (path: string, authorization?: string) => get(running.url, path, authorization);

  /** Asserts a 401/403 answer: status, RFC 6750 challenge and JSON body, and that no token is echoed. */
  async function expectRejected(
    path: string,
    authorization: string | undefined,
    expected: { status: 401 | 403; error: string; description: string | RegExp; scope?: string },
  ) {
    const reply = await call(path, authorization);
    expect(reply.status).toBe(expected.status);
    expect(reply.body).toEqual({
      statusCode: expected.status,
      error: expected.error,
      error_description: expect.stringMatching(expected.description),
    });
    const description = (reply.body as { error_description: string }).error_description;
    if (expected.error === 'unauthorized') {
      expect(reply.challenge).toBe(realm);
    } else {
      expect(reply.challenge).toBe(
        `${realm}, error="${expected.error}", error_description="${description}"` +
          (expected.scope === undefined ? '' : `, scope="${expected.scope}"`),
      );
    }
    const token = authorization?.split(' ')[1];
    if (token !== undefined && token.length > 12) expect(reply.text).not.toContain(token);
    expect(reply.text).not.toMatch(/at .+\.(ts|js):\d+/);
  }

  describe('GET /api/public', () => {
    it('answers 200 without a token', async () => {
      const reply = await call('api/public');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(PUBLIC);
    });

    it('ignores an Authorization header, valid or not', async () => {
      for (const header of ['Bearer nonsense', `Bearer ${issuer.token()}`, 'Basic abc', '']) {
        const reply = await call('api/public', header);
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual(PUBLIC);
      }
    });
  });

  describe("Auth0 quickstart's matrix", () => {
    it('returns 401 with a bare challenge when there is no Authorization header', () =>
      expectRejected('api/private', undefined, {
        status: 401,
        error: 'unauthorized',
        description: /no access token/,
      }));

    it('returns 401 invalid_request for "Bearer " with no token', () =>
      expectRejected('api/private', 'Bearer ', {
        status: 401,
        error: 'invalid_request',
        description: /malformed Authorization header/,
      }));

    it('returns 401 invalid_request for a blank header', () =>
      expectRejected('api/private', ' ', {
        status: 401,
        error: 'invalid_request',
        description: /malformed Authorization header/,
      }));

    it('returns 401 invalid_token for "Bearer invalidToken"', () =>
      expectRejected('api/private', 'Bearer invalidToken', {
        status: 401,
        error: 'invalid_token',
        description: /malformed token/,
      }));

    it('returns 401 invalid_request for "Bearer invalidToken abc"', () =>
      expectRejected('api/private', 'Bearer invalidToken abc', {
        status: 401,
        error: 'invalid_request',
        description: /exactly one token/,
      }));

    it('returns 401 invalid_request for a valid token followed by a second word', () =>
      expectRejected('api/private', `Bearer ${issuer.token()} string`, {
        status: 401,
        error: 'invalid_request',
        description: /exactly one token/,
      }));

    it('returns 401 invalid_token for a valid token with junk appended', () =>
      expectRejected('api/private', `Bearer ${issuer.token()}string`, {
        status: 401,
        error: 'invalid_token',
        description: /signature verification failed/,
      }));

    it('returns 200 from /api/private with a valid token', async () => {
      const reply = await call('api/private', `Bearer ${issuer.token()}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(PRIVATE);
    });

    it('returns 403 insufficient_scope from /api/private-scoped when the token has no scope', () =>
      expectRejected('api/private-scoped', `Bearer ${issuer.token()}`, {
        status: 403,
        error: 'insufficient_scope',
        description: /lacks the required scope: read:messages/,
        scope: 'read:messages',
      }));

    it('returns 403 insufficient_scope when the token grants only write:messages', () =>
      expectRejected(
        'api/private-scoped',
        `Bearer ${issuer.token({ claims: { scope: 'write:messages' } })}`,
        {
          status: 403,
          error: 'insufficient_scope',
          description: /read:messages/,
          scope: 'read:messages',
        },
      ));

    it.each(['read:messages', 'read:messages write:messages', 'write:messages read:messages'])(
      'returns 200 from /api/private-scoped with scope "%s"',
      async (scope) => {
        const reply = await call(
          'api/private-scoped',
          `Bearer ${issuer.token({ claims: { scope } })}`,
        );
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual(SCOPED);
      },
    );
  });

  describe('the bearer header', () => {
    it('accepts the scheme in any case', async () => {
      for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
        expect((await call('api/private', `${scheme} ${issuer.token()}`)).status).toBe(200);
      }
    });

    it('answers another scheme like no credentials (RFC 6750 §3.1)', () =>
      expectRejected('api/private', 'Basic dXNlcjpwYXNz', {
        status: 401,
        error: 'unauthorized',
        description: /unsupported authorization scheme/,
      }));

    it('returns 401 invalid_request for characters outside b64token', () =>
      expectRejected('api/private', 'Bearer abc$def', {
        status: 401,
        error: 'invalid_request',
        description: /b64token/,
      }));

    it.each([
      ['a valid token, then garbage', (t: string) => [t, 'garbage']],
      ['garbage, then a valid token', (t: string) => ['garbage', t]],
      ['the same valid token twice', (t: string) => [t, t]],
    ])(
      'returns 401 invalid_request for several Authorization headers: %s',
      async (_what, values) => {
        const lines = values(`Bearer ${issuer.token()}`).map((v) => `Authorization: ${v}`);
        const reply = await rawGet(running.url, 'api/private', lines);
        expect(reply.status).toBe(401);
        expect(reply.body).toEqual({
          statusCode: 401,
          error: 'invalid_request',
          error_description: 'send exactly one Authorization header',
        });
        expect(reply.headers['www-authenticate']).toBe(
          `${realm}, error="invalid_request", error_description="send exactly one Authorization header"`,
        );
      },
    );

    it('returns 401 invalid_request for an oversized header, before any crypto', () =>
      expectRejected('api/private', `Bearer ${'a'.repeat(9000)}`, {
        status: 401,
        error: 'invalid_request',
        description: /too long/,
      }));

    it('never reads a token from the query string', () =>
      expectRejected(`api/private?access_token=${issuer.token()}`, undefined, {
        status: 401,
        error: 'unauthorized',
        description: /no access token/,
      }));
  });

  describe('attacks and invalid tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const invalid = (description: RegExp) => ({
      status: 401 as const,
      error: 'invalid_token',
      description,
    });

    it('refuses alg "none" (RFC 8725 §3.1)', () => {
      const token = signJwt(
        { alg: 'none', kid: issuer.keys[0]!.kid },
        { iss: issuer.url, aud: issuer.audience, sub: 'x', exp: now() + 60 },
        'none',
      );
      return expectRejected('api/private', `Bearer ${token}`, invalid(/algorithm not accepted/));
    });

    it('refuses HS256 signed with the public key as the secret (algorithm confusion)', () => {
      const pem = issuer.keys[0]!.publicKey.export({ format: 'pem', type: 'spki' });
      const token = signJwt(
        { alg: 'HS256', kid: issuer.keys[0]!.kid },
        { iss: issuer.url, aud: issuer.audience, sub: 'x', exp: now() + 60 },
        { hmacSecret: pem },
      );
      return expectRejected('api/private', `Bearer ${token}`, invalid(/algorithm not accepted/));
    });

    it('refuses an algorithm outside the allowlist (RS384 when only RS256 is allowed)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ header: { alg: 'RS384' } })}`,
        invalid(/algorithm not accepted/),
      ));

    it('refuses a token signed by another key under a published kid', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ key: { ...makeKey(), kid: issuer.keys[0]!.kid } })}`,
        invalid(/signature verification failed/),
      ));

    it('leaves stack traces on for the rest of the process after a refused signature', async () => {
      const limit = Error.stackTraceLimit;
      const forged = issuer.token({ key: { ...makeKey(), kid: issuer.keys[0]!.kid } });
      expect((await call('api/private', `Bearer ${forged}`)).status).toBe(401);
      expect(Error.stackTraceLimit).toBe(limit);
      expect(limit).toBeGreaterThan(0);
    });

    it('refuses an unknown kid', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ key: makeKey('not-published') })}`,
        invalid(/unknown key id/),
      ));

    it('refuses a token without a kid', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ header: { kid: undefined } })}`,
        invalid(/key id/),
      ));

    it('ignores jwk and jku headers that carry or point to an attacker key', async () => {
      const attacker = makeKey('attacker');
      const jwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker' };
      await expectRejected(
        'api/private',
        `Bearer ${issuer.token({ key: attacker, header: { jwk, jku: 'http://127.0.0.1:1/jwks.json' } })}`,
        invalid(/unknown key id/),
      );
      await expectRejected(
        'api/private',
        `Bearer ${issuer.token({ key: { ...attacker, kid: issuer.keys[0]!.kid }, header: { jwk: { ...jwk, kid: issuer.keys[0]!.kid }, x5u: 'http://127.0.0.1:1/x' } })}`,
        invalid(/signature verification failed/),
      );
    });

    it('refuses unknown critical header extensions (RFC 7515 §4.1.11)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ header: { crit: ['exp'], exp: now() + 60 } })}`,
        invalid(/critical/),
      ));

    it('refuses a JWT typed as something other than an access token (RFC 8725 §3.11)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ header: { typ: 'dpop+jwt' } })}`,
        invalid(/token type/),
      ));

    it('accepts typ at+jwt (RFC 9068 §2.1)', async () => {
      expect(
        (await call('api/private', `Bearer ${issuer.token({ header: { typ: 'at+jwt' } })}`)).status,
      ).toBe(200);
    });

    it('refuses an expired token, beyond the 60 s tolerance', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { exp: now() - 61 } })}`,
        invalid(/token expired/),
      ));

    it('accepts a token expired within the clock tolerance', async () => {
      expect(
        (await call('api/private', `Bearer ${issuer.token({ claims: { exp: now() - 30 } })}`))
          .status,
      ).toBe(200);
    });

    it('refuses a token not yet valid (nbf)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { nbf: now() + 300 } })}`,
        invalid(/not yet valid/),
      ));

    it('refuses a token without exp', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { exp: undefined } })}`,
        invalid(/no valid expiry/),
      ));

    it('refuses exp given as a string', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { exp: String(now() + 300) } })}`,
        invalid(/no valid expiry/),
      ));

    it('refuses another issuer', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { iss: 'https://evil.example/' } })}`,
        invalid(/issuer not accepted/),
      ));

    it('refuses the issuer without its trailing slash (iss is never normalised)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { iss: issuer.url.slice(0, -1) } })}`,
        invalid(/issuer not accepted/),
      ));

    it('refuses another audience', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { aud: 'https://other.api/' } })}`,
        invalid(/audience not accepted/),
      ));

    it('accepts an aud array containing the audience', async () => {
      const token = issuer.token({ claims: { aud: ['https://other.api/', issuer.audience] } });
      expect((await call('api/private', `Bearer ${token}`)).status).toBe(200);
    });

    it('refuses a token without sub (RFC 9068 §2.2)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ claims: { sub: undefined } })}`,
        invalid(/no subject/),
      ));

    it('refuses a signed payload that is not a JSON object', async () => {
      const key = issuer.keys[0]!;
      await expectRejected(
        'api/private',
        `Bearer ${signJwt({ alg: 'RS256', kid: key.kid }, 'not json', key.privateKey)}`,
        invalid(/malformed token|claims are not a JSON object/),
      );
      await expectRejected(
        'api/private',
        `Bearer ${signJwt({ alg: 'RS256', kid: key.kid }, [1, 2], key.privateKey)}`,
        invalid(/malformed token|claims are not a JSON object/),
      );
    });

    it.each(['null', '"text"', '42', 'true'])(
      'refuses a signed JSON %s payload with typ JWT, and keeps serving',
      async (payload) => {
        const key = issuer.keys[0]!;
        const token = signJwt({ alg: 'RS256', typ: 'JWT', kid: key.kid }, payload, key.privateKey);
        await expectRejected(
          'api/private',
          `Bearer ${token}`,
          invalid(/claims are not a JSON object/),
        );
        expect((await call('api/public')).status).toBe(200);
      },
    );

    it('refuses a header that is not JSON', () =>
      expectRejected(
        'api/private',
        `Bearer ${Buffer.from('nope').toString('base64url')}.e30.c2ln`,
        invalid(/header is not a JSON object/),
      ));

    it('refuses a token signed by a published RSA key smaller than 2048 bits (RFC 7518 §3.3)', () =>
      expectRejected(
        'api/private',
        `Bearer ${issuer.token({ key: weakKey })}`,
        invalid(/signing key not found/),
      ));
  });

  describe('scopes', () => {
    const scoped = (claims: Record<string, unknown>) =>
      call('api/private-scoped', `Bearer ${issuer.token({ claims })}`);

    it.each([
      ['scp array', { scp: ['read:messages'] }],
      ['scp string', { scp: 'openid read:messages' }],
      ['permissions array (Auth0 RBAC)', { permissions: ['read:messages'] }],
    ])('grants from the %s form', async (_form, claims) => {
      const reply = await scoped(claims);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(SCOPED);
    });

    it.each([
      ['a longer scope', { scope: 'read:messages:all' }],
      ['a prefix', { scope: 'read:message' }],
      ['a superstring', { scope: 'xread:messages' }],
      ['a comma list', { scope: 'read:messages,write:messages' }],
      ['permissions as a string', { permissions: 'read:messages' }],
      ['a non-string scope', { scope: 42 }],
    ])('refuses %s: matching is exact', (_what, claims) =>
      expectRejected('api/private-scoped', `Bearer ${issuer.token({ claims })}`, {
        status: 403,
        error: 'insufficient_scope',
        description: /read:messages/,
        scope: 'read:messages',
      }),
    );
  });

  it('keeps JSON bodies for other Nest errors (404)', async () => {
    const reply = await call('api/nothing-here');
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ statusCode: 404 });
  });
});
