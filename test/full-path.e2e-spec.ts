import { jest } from '@jest/globals';
import passport from 'passport';
import { JwtStrategy } from '../src/auth/index.js';
import type { RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { makeKey, TestIssuer } from './support/test-issuer.js';

describe('full verification path (cache off)', () => {
  let issuer: TestIssuer;
  let running: RunningApp;
  let middleware: ReturnType<typeof jest.spyOn>;
  let verifications: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    issuer = await new TestIssuer().start();
    running = await startProbeApp(issuer, { tokenCacheMaxEntries: 0 });
  });

  afterAll(async () => {
    await running.app.close();
    await issuer.stop();
  });

  beforeEach(() => {
    middleware = jest.spyOn(passport, 'authenticate');
    // Passport calls validate() only once the signature checked out.
    verifications = jest.spyOn(JwtStrategy.prototype, 'validate');
  });

  afterEach(() => {
    middleware.mockRestore();
    verifications.mockRestore();
  });

  it('verifies every token in full through the Passport strategy without building passport.authenticate() per request', async () => {
    for (let i = 0; i < 3; i += 1) {
      const reply = await get(
        running.url,
        'probe',
        `Bearer ${issuer.token({ claims: { sub: `user-${i}` } })}`,
      );
      expect(reply.status).toBe(200);
    }
    expect(verifications).toHaveBeenCalledTimes(3);
    expect(middleware).not.toHaveBeenCalled();
  });

  it('answers a forged signature under a known kid with 401 invalid_token, without echoing the token', async () => {
    const forged = issuer.token({ key: makeKey(issuer.keys[0]!.kid) });
    const reply = await get(running.url, 'probe', `Bearer ${forged}`);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      statusCode: 401,
      error: 'invalid_token',
      error_description: 'signature verification failed',
    });
    expect(reply.challenge).toMatch(/^Bearer .*error="invalid_token"/);
    expect(reply.text).not.toContain(forged.split('.')[2]);
    expect(verifications).not.toHaveBeenCalled();
    expect(middleware).not.toHaveBeenCalled();
  });
});
