import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProbeApp } from './support/probe-host.js';
import { TestIssuer } from './support/test-issuer.js';

/** An undici dispatcher that records the host of every connection it opens, then opens it. */
function countingAgent(): { agent: Agent; connects: string[] } {
  const connects: string[] = [];
  const connect = buildConnector({});
  const agent = new Agent({
    connect: (options, callback) => {
      connects.push(options.hostname);
      connect(options, callback);
    },
  });
  return { agent, connects };
}

describe('where keys may come from', () => {
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

  const probe = () => get(running!.url, 'probe', `Bearer ${issuer.token()}`);

  it.each([
    ['a cloud metadata address', 'https://169.254.169.254/latest/meta-data/jwks.json'],
    ['another link-local IPv4 address', 'https://169.254.1.1/jwks.json'],
    ['a link-local IPv6 address', 'https://[fe80::1]/jwks.json'],
    ["AWS's IPv6 metadata address", 'https://[fd00:ec2::254]/jwks.json'],
  ])(
    'refuses a discovered jwks_uri on %s without connecting to it, and logs it once',
    async (_what, jwksUri) => {
      issuer.publishedJwksUri = jwksUri;
      const { agent, connects } = countingAgent();
      running = await startProbeApp(issuer, {
        jwksWarmUp: false,
        fetchDispatcher: agent,
        jwksTimeoutMs: 1_000,
        keySetPolicy: { minFetchIntervalMs: 100 },
      });
      const first = await probe();
      expect(first.status).toBe(503);
      expect(first.body).toMatchObject({ error: 'temporarily_unavailable' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await probe()).status).toBe(503);
      expect(issuer.hits.discovery).toBeGreaterThanOrEqual(1);
      // Only the issuer's own address was ever connected to.
      expect(new Set(connects)).toEqual(new Set(['127.0.0.1']));
      expect(warnings.filter((w) => w.includes(jwksUri))).toEqual([
        expect.stringMatching(/link-local or cloud metadata address/),
      ]);
      await agent.close();
    },
  );

  describe('an issuer that is not on this machine', () => {
    const ISSUER = 'https://issuer.test/';

    /**
     * A dispatcher that reaches issuer.test and keys.test on the test issuer's loopback port (over
     * plain TCP: the tests have no certificate for those names) and records every connection.
     */
    function remoteIssuerAgent(): { agent: Agent; connects: string[] } {
      const connects: string[] = [];
      const direct = buildConnector({});
      const port = Number(new URL(issuer.url).port);
      const agent = new Agent({
        connect: (options, callback) => {
          connects.push(options.hostname);
          if (!['issuer.test', 'keys.test'].includes(options.hostname)) {
            direct(options, callback);
            return;
          }
          const socket = tcpConnect(port, '127.0.0.1');
          socket.once('connect', () => callback(null, socket));
          socket.once('error', (error) => callback(error, null));
        },
      });
      return { agent, connects };
    }

    const remoteProbe = () =>
      get(running!.url, 'probe', `Bearer ${issuer.token({ claims: { iss: ISSUER } })}`);

    it('takes its keys from a jwks_uri elsewhere (the control)', async () => {
      issuer.publishedIssuer = ISSUER;
      issuer.publishedJwksUri = 'https://keys.test/.well-known/jwks.json';
      const { agent, connects } = remoteIssuerAgent();
      running = await startProbeApp(issuer, {
        issuerUrl: ISSUER,
        jwksWarmUp: false,
        fetchDispatcher: agent,
      });
      expect((await remoteProbe()).status).toBe(200);
      expect(connects).toEqual(['issuer.test', 'keys.test']);
      await agent.close();
    });

    it('refuses a jwks_uri on this machine without connecting to it', async () => {
      const local = await new TestIssuer().start(); // must see no request
      try {
        issuer.publishedIssuer = ISSUER;
        issuer.publishedJwksUri = local.jwksUri;
        const { agent, connects } = remoteIssuerAgent();
        running = await startProbeApp(issuer, {
          issuerUrl: ISSUER,
          jwksWarmUp: false,
          fetchDispatcher: agent,
        });
        expect((await remoteProbe()).status).toBe(503);
        expect(local.hits).toEqual({ discovery: 0, jwks: 0 });
        expect(connects).toEqual(['issuer.test']);
        expect(warnings.filter((w) => w.startsWith('Refused'))).toEqual([
          `Refused the discovered jwks_uri ${local.jwksUri}: it is on this machine, which only an issuer on this machine may use`,
        ]);
        await agent.close();
      } finally {
        await local.stop();
      }
    });
  });

  it('refuses a jwks_uri that redirects, without following it', async () => {
    const target = await new TestIssuer().start();
    let redirects = 0;
    const redirector: Server = createServer((_req, res) => {
      redirects += 1;
      res.writeHead(302, { location: target.jwksUri }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      issuer.publishedJwksUri = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/jwks.json`;
      running = await startProbeApp(issuer, { jwksWarmUp: false });
      expect((await probe()).status).toBe(503);
      expect(redirects).toBe(1);
      expect(target.hits.jwks).toBe(0);
    } finally {
      redirector.close();
      await target.stop();
    }
  });
});
