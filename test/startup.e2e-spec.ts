import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as oauth from 'oauth4webapi';
import { freePort, get } from './support/http.js';
import { emptyDir, startMain, type AppProcess, startProductionMain } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

const run = promisify(execFile);

/** Runs the app with a configuration that must stop it, and returns what it printed. */
async function refusedStart(
  env: Record<string, string>,
  cwd?: string,
  { afterNestStarted = false } = {},
): Promise<string> {
  const app = startMain(env, cwd);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    app.exited,
    new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 15_000))),
  ]);
  clearTimeout(timer);
  await app.stop();
  expect(code).toBe(1);
  const output = app.output();
  expect(output).not.toMatch(/^\s+at /m); // no stack trace
  if (!afterNestStarted) expect(output).not.toMatch(/Nest application successfully started/);
  return output;
}

describe('start-up configuration checks (node dist/main.js)', () => {
  it('stops with one line per mistake, naming each variable and its fix', async () => {
    const output = await refusedStart({
      PORT: 'abc',
      AUTH_ALGORITHMS: 'HS256',
      AUTH_CLOCK_TOLERANCE_SEC: '-5',
    });
    const lines = output.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Configuration error: PORT must be a whole number .*3000/),
      expect.stringMatching(/^Configuration error: AUTH_ALGORITHMS may list only .*RS256/),
      expect.stringMatching(
        /^Configuration error: AUTH_CLOCK_TOLERANCE_SEC must be a whole number/,
      ),
    ]);
  });

  it('refuses NODE_ENV=production without an issuer', async () => {
    const output = await refusedStart({ NODE_ENV: 'production' });
    expect(output.trim()).toMatch(
      /^Configuration error: AUTH_ISSUER_URL is required when NODE_ENV=production.*https:\/\/YOUR_TENANT\.auth0\.com\//,
    );
  });

  it('refuses a plain-http issuer that is not loopback, and an issuer without audience', async () => {
    const output = await refusedStart({ AUTH_ISSUER_URL: 'http://tenant.example.com/' });
    expect(output).toMatch(/AUTH_ISSUER_URL must use https/);
    expect(output).toMatch(/AUTH_AUDIENCE is required with AUTH_ISSUER_URL/);
  });

  it('says in one line that the port is taken, without a stack trace', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const output = await refusedStart(
        {
          PORT: String(port),
          HOST: '127.0.0.1',
          AUTH_ISSUER_URL: 'https://tenant.example/',
          AUTH_AUDIENCE: 'a',
          AUTH_TOKEN_CACHE_MAX_ENTRIES: '0',
        },
        undefined,
        { afterNestStarted: true },
      );
      expect(output).toMatch(
        new RegExp(
          `^Configuration error: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`,
          'm',
        ),
      );
    } finally {
      blocker.close();
    }
  });

  it('reads .env from the working directory, without overriding the environment', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), 'AUTH_CLOCK_TOLERANCE_SEC=soon\nPORT=1\n');
    const output = await refusedStart({ PORT: 'also-bad' }, cwd);
    expect(output).toMatch(/AUTH_CLOCK_TOLERANCE_SEC must be a whole number/);
    expect(output).toMatch(/PORT must be a whole number/);
  });
});

describe('production start against a real issuer', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    await issuer.start();
    ({ app, url } = await startProductionMain(issuer));
  });

  afterAll(async () => {
    await app?.stop();
    await issuer.stop();
  });

  it('serves all three routes under the rules', async () => {
    expect((await get(url, 'api/public')).status).toBe(200);
    expect((await get(url, 'api/private', `Bearer ${issuer.token()}`)).status).toBe(200);
    expect(
      (
        await get(
          url,
          'api/private-scoped',
          `Bearer ${issuer.token({ claims: { scope: 'read:messages' } })}`,
        )
      ).status,
    ).toBe(200);
    const expired = await get(url, 'api/private', `Bearer ${issuer.token({ claims: { exp: 1 } })}`);
    expect(expired.status).toBe(401);
    expect(expired.challenge).toMatch(/error="invalid_token", error_description="token expired"/);
    const scoped = await get(url, 'api/private-scoped', `Bearer ${issuer.token()}`);
    expect(scoped.status).toBe(403);
  });

  it('does not serve the development issuer', async () => {
    expect((await get(url, '.well-known/jwks.json')).status).toBe(404);
    expect((await get(url, 'dev/oauth/token')).status).toBe(404);
    expect(app.output()).not.toMatch(/DEVELOPMENT MODE/);
  });

  it('logs neither tokens nor per-request debug lines in production', async () => {
    const token = issuer.token({ claims: { aud: 'wrong' } });
    expect((await get(url, 'api/private', `Bearer ${token}`)).status).toBe(401);
    expect(app.output()).not.toContain(token.split('.')[2]);
    expect(app.output()).not.toMatch(/DEBUG/);
  });
});

describe('development mode with no configuration', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = startMain({ PORT: String(await freePort()) });
    await app.waitFor(/# 200\n[\s\S]*To use Auth0 instead/);
  });

  afterAll(() => app?.stop());

  it('prints a banner whose curl lines give 200, 401, 403, 200', async () => {
    const commands = app
      .output()
      .split('\n')
      .filter((line) => /^\s+(curl|TOKEN=)/.test(line))
      .map((line) => line.trim());
    expect(commands).toHaveLength(6);
    const script = commands.map((line) =>
      line.startsWith('curl -i')
        ? `${line.replace(/ +#.*$/, '').replace('curl -i', 'curl -s -o /dev/null -w "%{http_code}\\n"')}`
        : line,
    );
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script.join('\n')], {
      timeout: 20_000,
    });
    expect(stdout.trim().split('\n')).toEqual(['200', '401', '403', '200']);
  });

  it("prints the issuer's own URL, so that discovery from it finds the issuer its tokens name", async () => {
    const base = /curl -i (\S+)\/api\/public/.exec(app.output())![1]!;
    // What openid-client does from a URL a new user copies: the discovered issuer must equal it.
    const issuer = new URL(base);
    const metadata = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, {
        algorithm: 'oidc',
        [oauth.allowInsecureRequests]: true,
      }),
    );
    expect(metadata.issuer).toBe(`${base}/`);
  });
});
