import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppModule } from '../src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { freePort, get } from './support/http.js';
import { emptyDir } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

/** The built token command (`npm run token` runs it). */
const TOKEN_CLI = resolve('dist/cli/token.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/token.js args` with exactly `env` (plus PATH), in `cwd`. */
function token(args: string[], env: Record<string, string>, cwd = emptyDir()): Promise<Run> {
  if (!existsSync(TOKEN_CLI)) throw new Error(`${TOKEN_CLI} is missing: run "npm run build" first`);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TOKEN_CLI, ...args],
      { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('npm run token, against the running development issuer', () => {
  let running: RunningApp;
  let port: number;

  beforeAll(async () => {
    for (const name of Object.keys(process.env))
      if (/^AUTH0?_/.test(name)) delete process.env[name];
    port = await freePort();
    process.env['PORT'] = String(port);
    process.env['DATA_DIR'] = mkdtempSync(join(tmpdir(), 'token-command-'));
    running = await startApp(AppModule.forRoot(), 'fastify', port);
  });

  afterAll(() => running?.app.close());

  it('prints only a token on stdout, exit 0, that the API accepts for the scope asked', async () => {
    const run = await token(['--scope', 'read:messages'], { PORT: String(port) });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const jwt = run.stdout.trim();
    expect((await get(running.url, 'api/private-scoped', `Bearer ${jwt}`)).status).toBe(200);

    const unscoped = (await token([], { PORT: String(port) })).stdout.trim();
    expect((await get(running.url, 'api/private-scoped', `Bearer ${unscoped}`)).status).toBe(403);
  });

  it('passes --expires-in and --audience to the issuer', async () => {
    const run = await token(['--expires-in', '10', '--audience', 'https://quickstarts/api'], {
      PORT: String(port),
    });
    expect(run.code).toBe(0);
    const claims = claimsOf(run.stdout.trim()) as { exp: number; iat: number; aud: string };
    expect(claims.exp - claims.iat).toBe(10);
    expect(claims.aud).toBe('https://quickstarts/api');
  });

  it('reads PORT from .env in the working directory, like the app', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), `PORT=${port}\n`);
    const run = await token(['--scope', 'read:messages'], {}, cwd);
    expect(run.code).toBe(0);
    expect(claimsOf(run.stdout.trim())['scope']).toBe('read:messages');
  });

  it.each([
    [['--audience', 'https://elsewhere/'], /refused: unknown audience/],
    [['--expires-in', '5'], /refused: expires_in must be a whole number of seconds from 10/],
    [['--expires-in', 'soon'], /--expires-in must be a whole number of seconds/],
    [['--scope', 'a"b'], /refused: scope must be space-separated scope tokens/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*Usage: npm run -s token/],
    [['--scope'], /argument missing/],
  ])('exits 2 with the reason for %j, printing no token', async (args, reason) => {
    const run = await token(args, { PORT: String(port) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(reason);
  });

  it('exits 2 naming the limit when the token would be longer than the API accepts', async () => {
    const run = await token(['--scope', Array(4_000).fill('x').join(' ')], { PORT: String(port) });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(
      /^The development issuer refused: the token would be \d+ characters, over the 8192 this API accepts; ask for fewer or shorter scopes\n$/,
    );
  });

  it('exits 2 naming the body limit when the request itself is too large (5 000 scopes)', async () => {
    const run = await token(['--scope', Array(5_000).fill('x').join(' ')], { PORT: String(port) });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      'The development issuer refused: the request (10045 bytes) is larger than the app accepts (HTTP_BODY_LIMIT_BYTES); ask for fewer or shorter scopes\n',
    );
  });

  it('prints its usage and exit codes with --help', async () => {
    const run = await token(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Exit codes: 0 token printed.*\n.*3 the app is not running, 4/);
  });
});

describe('npm run token, without a development issuer', () => {
  it('exits 3 and says how to start the app when nothing listens', async () => {
    const port = await freePort();
    const run = await token(['--scope', 'read:messages'], { PORT: String(port) });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `The app is not running at http://127.0.0.1:${port}/ (PORT=${port}, HOST=127.0.0.1). Start it in another terminal with: npm start\n`,
    );
  });

  it('exits 4 with the Auth0 client-credentials curl when the app runs against a real issuer', async () => {
    const issuer = await new TestIssuer('https://orders.example/api').start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    const running = await startApp(AppModule.forRoot(), 'fastify');
    try {
      const port = new URL(running.url).port;
      const run = await token([], {
        PORT: port,
        AUTH_ISSUER_URL: issuer.url,
        AUTH_AUDIENCE: issuer.audience,
      });
      expect(run.code).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/uses a real issuer/);
      expect(run.stderr).toContain(
        `curl -s --request POST --url ${issuer.url}oauth/token --header 'content-type: application/json' --data '{"client_id":"YOUR_CLIENT_ID","client_secret":"YOUR_CLIENT_SECRET","audience":"https://orders.example/api","grant_type":"client_credentials"}'`,
      );
    } finally {
      delete process.env['AUTH_ISSUER_URL'];
      delete process.env['AUTH_AUDIENCE'];
      await running.app.close();
      await issuer.stop();
    }
  });
});
