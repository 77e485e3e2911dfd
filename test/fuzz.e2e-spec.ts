import { request } from 'node:http';
import fc from 'fast-check';
import { AppModule } from '../src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { TestIssuer } from './support/test-issuer.js';
import { signJwt } from './support/tokens.js';

/** Fixed seed (override with FC_SEED) so a failure reproduces; fast-check prints seed and path on failure. */
const seed = Number(process.env['FC_SEED'] ?? 20261129);

/** Sends raw header bytes (latin1), which fetch would refuse to send. */
function rawGet(
  url: string,
  authorization: string,
): Promise<{ status: number; challenge?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('api/private-scoped', url),
      { headers: { authorization } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            challenge: res.headers['www-authenticate'],
            body,
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** Header bytes Node will send: no control characters; unicode goes as its UTF-8 bytes. */
const headerSafe = (s: string) =>
  [...Buffer.from(s, 'utf8').toString('latin1')].filter((c) => c >= ' ' && c !== '\x7f').join('');

describe('the API under random Authorization headers and tokens (fast-check, seeded)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    // Every request here is a bad token from one address, on purpose: no failure throttling.
    process.env['AUTH_FAILURE_LIMIT'] = '0';
    running = await startApp(AppModule.forRoot(), 'fastify');
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  async function expectChallenged(authorization: string): Promise<void> {
    const reply = await rawGet(running.url, authorization);
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/^Bearer realm="https:\/\/quickstarts\/api"/);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(body).toEqual({
      statusCode: 401,
      error: expect.stringMatching(/^(unauthorized|invalid_request|invalid_token)$/),
      error_description: expect.any(String),
    });
  }

  it('answers every random header with 401 and a challenge, never a 500', async () => {
    const segment = fc.oneof(
      fc.jsonValue().map(b64),
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[A-Za-z0-9_\-+/=]{0,30}$/),
    );
    const header = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }).map(headerSafe),
      fc.array(segment, { maxLength: 8 }).map((parts) => `Bearer ${parts.join('.')}`),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'Basic', 'Bearer  ', 'Bearer\t', ''),
          fc.string({ maxLength: 60 }),
        )
        .map(([a, b]) => headerSafe(`${a} ${b}`)),
      fc.integer({ min: 1, max: 12_000 }).map((n) => `Bearer ${'A'.repeat(n)}`),
      fc.integer({ min: 2, max: 2_000 }).map((n) => `Bearer ${'a.'.repeat(n)}a`),
    );
    await fc.assert(fc.asyncProperty(header, expectChallenged), { seed, numRuns: 200 });
  }, 120_000);

  it('answers every random signed payload with 401, whatever its claims hold', async () => {
    const key = issuer.keys[0]!;
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({
        iss: fc.oneof(fc.constant(issuer.url), fc.jsonValue()),
        aud: fc.oneof(fc.constant(issuer.audience), fc.jsonValue()),
        exp: fc.oneof(fc.constant('9999999999'), fc.double(), fc.jsonValue()),
        sub: fc.jsonValue(),
      }),
    );
    const typ = fc.constantFrom('JWT', 'at+jwt', undefined);
    await fc.assert(
      fc.asyncProperty(payload, typ, (claims, t) =>
        expectChallenged(
          `Bearer ${signJwt({ alg: 'RS256', kid: key.kid, ...(t ? { typ: t } : {}) }, claims, key.privateKey)}`,
        ),
      ),
      { seed, numRuns: 150 },
    );
    expect((await get(running.url, 'api/public')).status).toBe(200);
  }, 120_000);
});
