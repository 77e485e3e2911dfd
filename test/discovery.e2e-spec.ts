import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AuthOptions } from '../src/auth/index.js';
import type { RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { TestIssuer } from './support/test-issuer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issuer discovery', () => {
  let issuer: TestIssuer;
  let running: RunningApp | undefined;
  let warnings: string[];

  beforeEach(async () => {
    issuer = await new TestIssuer().start();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await running?.app.close();
    running = undefined;
    await issuer.stop();
  });

  const start = async (options: Partial<AuthOptions> = {}) => {
    running = await startProbeApp(issuer, { ...options });
  };
  const probe = (claims: Record<string, unknown> = {}) =>
    get(running!.url, 'probe', `Bearer ${issuer.token({ claims })}`);

  it('finds the JWKS through the discovery document, once', async () => {
    await start();
    expect((await probe()).status).toBe(200);
    expect((await probe()).status).toBe(200);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it("uses the discovery document's issuer when the configured one lacks only its trailing slash, and says so once", async () => {
    await start({ issuerUrl: issuer.url.slice(0, -1) });
    expect((await probe()).status).toBe(200); // the token carries iss with the slash, as the issuer publishes
    expect((await probe()).status).toBe(200);
    const noSlash = await probe({ iss: issuer.url.slice(0, -1) });
    expect(noSlash.status).toBe(401);
    expect(noSlash.challenge).toMatch(/issuer not accepted/);
    expect(warnings.filter((w) => w.includes('trailing slash'))).toHaveLength(1);
  });

  it('falls back to /.well-known/jwks.json when the issuer has no discovery document', async () => {
    issuer.discovery = 'http-404';
    await start();
    expect((await probe()).status).toBe(200);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('answers 503 with Retry-After when the discovery document names another issuer', async () => {
    issuer.publishedIssuer = 'https://someone-else.example/';
    await start();
    const reply = await probe();
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(reply.challenge).toBeNull();
    expect(reply.body).toEqual({
      statusCode: 503,
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(/unavailable/),
    });
    expect(warnings.join('\n')).toMatch(/names issuer "https:\/\/someone-else\.example\/"/);
  });

  it('skips discovery when jwksUri is configured', async () => {
    await start({ jwksUri: issuer.jwksUri });
    expect((await probe()).status).toBe(200);
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 1 });
  });

  describe('heals without a restart', () => {
    /** Fetch spacing shortened so that the test waits a fraction of a second, not 6 s, per fetch. */
    const SPACING = { keySetPolicy: { minFetchIntervalMs: 200 } };

    /** Probes every 250 ms until a 200 or 5 s pass; returns the last status. */
    const probeUntilOk = async (claims: Record<string, unknown> = {}) => {
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i += 1) {
        await sleep(250);
        status = (await probe(claims)).status;
      }
      return status;
    };

    it('serves 200 again once a jwks_uri answering 404 is mended, and logs the change once', async () => {
      issuer.publishedJwksUri = `${issuer.url}wrong/jwks.json`;
      await start(SPACING);
      expect((await probe()).status).toBe(503);
      expect((await probe()).status).toBe(503);
      issuer.publishedJwksUri = undefined;
      expect(await probeUntilOk()).toBe(200);
      expect((await probe()).status).toBe(200);
      const changes = warnings.filter((w) => /jwks_uri changed/.test(w));
      expect(changes).toEqual([
        `The issuer's jwks_uri changed from ${issuer.url}wrong/jwks.json to ${issuer.jwksUri}`,
      ]);
    });

    it('serves 200 again once a jwks_uri pointing at a key set without the kid is mended', async () => {
      const other = await new TestIssuer().start();
      try {
        issuer.publishedJwksUri = other.jwksUri; // a working key set, but not this issuer's
        await start(SPACING);
        const refused = await probe();
        expect(refused.status).toBe(401);
        expect(refused.challenge).toMatch(/signing key not found/);
        issuer.publishedJwksUri = undefined;
        expect(await probeUntilOk()).toBe(200);
      } finally {
        await other.stop();
      }
    });

    it('reads discovery again no more often than the fetch spacing while tokens keep naming a missing kid', async () => {
      await start({ keySetPolicy: { minFetchIntervalMs: 1_000 } });
      expect((await probe()).status).toBe(200);
      const missing = issuer.token({ header: { kid: 'never-published' } });
      const until = Date.now() + 2_500;
      let probes = 0;
      while (Date.now() < until) {
        const reply = await get(running!.url, 'probe', `Bearer ${missing}`);
        expect(reply.status).toBe(401);
        probes += 1;
        await sleep(100);
      }
      expect(probes).toBeGreaterThan(15);
      expect(issuer.hits.discovery).toBeGreaterThanOrEqual(2);
      expect(issuer.hits.discovery).toBeLessThanOrEqual(4); // start-up, then at most one a second
    });

    it('does not fetch discovery again while the key set serves every kid asked for', async () => {
      await start(SPACING);
      for (let i = 0; i < 5; i += 1) {
        expect((await probe()).status).toBe(200);
        await sleep(100);
      }
      expect(issuer.hits.discovery).toBe(1);
    });
  });
});
