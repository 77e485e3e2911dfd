import { jest } from '@jest/globals';
import { JwtStrategy, type AuthOptions } from '../src/auth/index.js';
import type { RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { TestIssuer } from './support/test-issuer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verified-token cache', () => {
  let issuer: TestIssuer;
  let running: RunningApp | undefined;
  let verifications: ReturnType<typeof jest.spyOn>;

  beforeEach(async () => {
    issuer = await new TestIssuer().start();
    // Counts full verifications: Passport calls validate() only once the signature checked out.
    verifications = jest.spyOn(JwtStrategy.prototype, 'validate');
  });

  afterEach(async () => {
    verifications.mockRestore();
    await running?.app.close();
    running = undefined;
    await issuer.stop();
  });

  const start = async (options: Partial<AuthOptions> = {}) => {
    running = await startProbeApp(issuer, { ...options });
  };
  const probe = (token: string, path = 'probe') => get(running!.url, path, `Bearer ${token}`);

  it('verifies a token once, then answers its repeats from the cache', async () => {
    await start();
    const token = issuer.token();
    for (let i = 0; i < 5; i += 1) expect((await probe(token)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect((await probe(issuer.token({ claims: { sub: 'other' } }))).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('verifies every presentation when the cache is off', async () => {
    await start({ tokenCacheMaxEntries: 0 });
    const token = issuer.token();
    for (let i = 0; i < 3; i += 1) expect((await probe(token)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(3);
  });

  it('verifies every presentation of a token whose claims exceed its share of tokenCacheMaxBytes', async () => {
    await start({ tokenCacheMaxBytes: 1024 * 1024 }); // 1 KiB per entry at most
    const small = issuer.token();
    const large = issuer.token({
      claims: { permissions: Array.from({ length: 100 }, (_, i) => `read:resource-${i}`) },
    });
    for (let i = 0; i < 3; i += 1) expect((await probe(small)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 3; i += 1) expect((await probe(large)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(4);
  });

  it('never answers from the cache on or after exp', async () => {
    await start({ clockToleranceSec: 0 });
    const token = issuer.token({ claims: { exp: Math.floor(Date.now() / 1000) + 2 } });
    expect((await probe(token)).status).toBe(200);
    expect((await probe(token)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    await sleep(2_100);
    const expired = await probe(token);
    expect(expired.status).toBe(401);
    expect(expired.challenge).toMatch(/error_description="token expired"/);
  }, 10_000);

  it('drops a token as soon as its key leaves the issuer key set', async () => {
    await start({
      keySetPolicy: { minMaxAgeMs: 1_000, defaultMaxAgeMs: 1_000, minFetchIntervalMs: 200 },
    });
    const token = issuer.token();
    expect((await probe(token)).status).toBe(200);
    expect((await probe(token)).status).toBe(200);
    issuer.rotate();
    const hits = issuer.hits.jwks;
    for (let i = 0; i < 40 && issuer.hits.jwks === hits; i += 1) await sleep(100); // background refresh
    await sleep(200);
    const reply = await probe(token);
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/signing key not found/);
  }, 10_000);

  it('still checks scopes on every request', async () => {
    await start();
    const unscoped = issuer.token();
    expect((await probe(unscoped)).status).toBe(200);
    const refused = await probe(unscoped, 'scoped');
    expect(refused.status).toBe(403);
    expect(refused.challenge).toMatch(/error="insufficient_scope"/);
    const scoped = issuer.token({ claims: { scope: 'orders:read' } });
    expect((await probe(scoped, 'scoped')).status).toBe(200);
    expect((await probe(scoped, 'scoped')).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('evicts the least recently used token when full', async () => {
    await start({ tokenCacheMaxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => issuer.token({ claims: { sub } }));
    for (const token of [a!, b!, c!]) await probe(token); // a is evicted by c
    expect(verifications).toHaveBeenCalledTimes(3);
    await probe(c!);
    await probe(b!);
    expect(verifications).toHaveBeenCalledTimes(3);
    await probe(a!);
    expect(verifications).toHaveBeenCalledTimes(4);
  });
});
