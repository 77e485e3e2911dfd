import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AuthOptions } from '../src/auth/index.js';
import type { RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { TestIssuer } from './support/test-issuer.js';

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
});
