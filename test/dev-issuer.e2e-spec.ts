import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { freePort, get } from './support/http.js';

describe('development issuer (no configuration)', () => {
  let running: RunningApp;
  let base: string;

  beforeAll(async () => {
    for (const name of Object.keys(process.env))
      if (/^AUTH0?_/.test(name)) delete process.env[name];
    const port = await freePort();
    process.env['PORT'] = String(port);
    // The development issuer keeps its key under DATA_DIR: never in the repository's ./data.
    process.env['DATA_DIR'] = mkdtempSync(join(tmpdir(), 'dev-issuer-'));
    running = await startApp(AppModule.forRoot(), 'fastify', port);
    base = running.url;
  });

  afterAll(() => running?.app.close());

  const token = async (body: string, contentType = 'application/json') => {
    const response = await fetch(new URL('dev/oauth/token', base), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('publishes discovery and a JWKS for its own issuer URL', async () => {
    const discovery = (await get(base, '.well-known/openid-configuration')).body as Record<
      string,
      string
    >;
    expect(discovery.issuer).toBe(`http://127.0.0.1:${process.env['PORT']}/`);
    expect(discovery.jwks_uri).toBe(`${discovery.issuer}.well-known/jwks.json`);
    const jwks = (await get(base, '.well-known/jwks.json')).body as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: expect.any(String),
    });
    expect(jwks.keys[0]).not.toHaveProperty('d'); // never the private part
  });

  it("answers like Auth0's client-credentials grant, honouring the requested scope", async () => {
    const reply = await token(
      JSON.stringify({ grant_type: 'client_credentials', scope: 'read:messages' }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 86400,
      scope: 'read:messages',
    });
    const [header, payload] = String(reply.body['access_token'])
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      aud: 'https://quickstarts/api',
      scope: 'read:messages',
      sub: 'dev-client@clients',
    });
  });

  it('refuses JSON sent as a form (curl -d without content-type) instead of dropping its scope', async () => {
    const reply = await token('{"scope":"read:messages"}', 'application/x-www-form-urlencoded');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/content-type: application\/json/),
    });
  });

  it('accepts a form-encoded request', async () => {
    const reply = await token(
      'grant_type=client_credentials&scope=read%3Amessages',
      'application/x-www-form-urlencoded',
    );
    expect(reply.status).toBe(200);
    expect(reply.body['scope']).toBe('read:messages');
  });

  it('verifies its tokens through the same JWKS-over-HTTP path as a real issuer', async () => {
    const withScope = String((await token('{"scope":"read:messages"}')).body['access_token']);
    const without = String((await token('{}')).body['access_token']);
    expect((await get(base, 'api/private', `Bearer ${without}`)).status).toBe(200);
    expect((await get(base, 'api/private-scoped', `Bearer ${without}`)).status).toBe(403);
    expect((await get(base, 'api/private-scoped', `Bearer ${withScope}`)).status).toBe(200);
  });

  it.each([
    ['another grant type', '{"grant_type":"password"}', 400, 'unsupported_grant_type'],
    ['an unknown audience', '{"audience":"https://elsewhere/"}', 403, 'access_denied'],
    ['a malformed scope', '{"scope":"read:messages  \\"x"}', 400, 'invalid_scope'],
    ['a scope that is not a string', '{"scope":["read:messages"]}', 400, 'invalid_scope'],
    ['an unknown field', '{"scopes":"read:messages"}', 400, 'invalid_request'],
  ])('refuses %s with an OAuth error', async (_what, body, status, error) => {
    const reply = await token(body);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error, error_description: expect.any(String) });
  });

  it('issues a token for the requested expires_in, and refuses one outside 10 s to 24 h', async () => {
    for (const [body, contentType] of [
      ['{"expires_in":10}', 'application/json'],
      ['expires_in=10', 'application/x-www-form-urlencoded'],
    ] as const) {
      const reply = await token(body, contentType);
      expect(reply.status).toBe(200);
      expect(reply.body['expires_in']).toBe(10);
      const claims = JSON.parse(
        Buffer.from(String(reply.body['access_token']).split('.')[1]!, 'base64url').toString(),
      ) as { iat: number; exp: number };
      expect(claims.exp - claims.iat).toBe(10);
    }
    for (const expiresIn of ['9', '86401', '1.5', '"1e3"', 'null', '-10']) {
      const reply = await token(`{"expires_in":${expiresIn}}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        error: 'invalid_request',
        error_description: 'expires_in must be a whole number of seconds from 10 to 86400',
      });
    }
  });

  it('refuses with 400 invalid_request a token longer than the API accepts (4 000 scopes)', async () => {
    const body = JSON.stringify({ scope: Array(4_000).fill('x').join(' ') });
    // Within the body limit (HTTP_BODY_LIMIT_BYTES, 8192): the issuer itself answers.
    expect(body.length).toBeLessThanOrEqual(8_192);
    const reply = await token(body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringMatching(
        /^the token would be 1\d{4} characters, over the 8192 this API accepts; ask for fewer or shorter scopes$/,
      ),
    });
  });

  it('issues the longest token the API accepts, and refuses one character more of scope', async () => {
    const tokenFor = (length: number) => token(JSON.stringify({ scope: 'x'.repeat(length) }));
    // The longest scope whose token is issued, by bisection.
    let [issued, refused] = [0, 8_000];
    while (refused - issued > 1) {
      const middle = Math.floor((issued + refused) / 2);
      if ((await tokenFor(middle)).status === 200) issued = middle;
      else refused = middle;
    }
    const longest = String((await tokenFor(issued)).body['access_token']);
    expect(longest.length).toBeGreaterThan(8_192 - 4);
    expect(longest.length).toBeLessThanOrEqual(8_192);
    expect((await get(base, 'api/private', `Bearer ${longest}`)).status).toBe(200);
    expect((await tokenFor(refused)).body).toMatchObject({ error: 'invalid_request' });
  });
});
