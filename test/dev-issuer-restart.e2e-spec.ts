import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, get } from './support/http.js';
import { emptyDir, startMain, type AppProcess } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

/** Starts `node dist/main.js` in development mode with `dataDir`, waiting for its banner. */
async function startDev(port: number, dataDir: string): Promise<AppProcess> {
  const app = startMain({ PORT: String(port), DATA_DIR: dataDir });
  await app.waitFor(/To use Auth0 instead/);
  return app;
}

async function devToken(port: number, scope: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/dev/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scope }),
    signal: AbortSignal.timeout(10_000),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('the development issuer across restarts (node dist/main.js)', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'dev-restart-')), 'data');
  const keyFile = join(dataDir, 'dev-issuer-key.json');
  let port: number;
  let app: AppProcess | undefined;
  let token: string;

  beforeAll(async () => {
    port = await freePort();
  });
  afterEach(() => app?.stop());

  it('keeps its signing key in DATA_DIR, readable by its owner only, and logs a quiet start-up', async () => {
    app = await startDev(port, dataDir);
    token = await devToken(port, 'read:messages');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(app.output()).toContain(`New signing key kept in ${keyFile}`);
    // The start-up log names the address bound, without Nest's per-module and per-route lines.
    expect(app.output()).toContain(`Listening on http://127.0.0.1:${port}`);
    expect(app.output()).not.toMatch(
      /InstanceLoader|RoutesResolver|RouterExplorer|ConditionalModule|NestFactory|NestApplication/,
    );
  });

  it('accepts a token from the previous run after a restart', async () => {
    app = await startDev(port, dataDir);
    expect(app.output()).toContain(`Signing key loaded from ${keyFile}`);
    expect(
      (await get(`http://127.0.0.1:${port}/`, 'api/private-scoped', `Bearer ${token}`)).status,
    ).toBe(200);
  });

  it("refuses it once the key file is gone, and logs that the issuer's keys are new", async () => {
    rmSync(keyFile);
    app = await startDev(port, dataDir);
    const reply = await get(`http://127.0.0.1:${port}/`, 'api/private', `Bearer ${token}`);
    expect(reply.status).toBe(401);
    expect(reply.challenge).toContain('unknown key id (kid)');
    await app.waitFor(/the development issuer's keys are new since it was issued/, 5_000);
    expect(app.output()).not.toContain(token.split('.')[2]);
  });

  it('replaces a key file that holds no key, and says so', async () => {
    writeFileSync(keyFile, 'not json', { mode: 0o600 });
    app = await startDev(port, dataDir);
    expect(app.output()).toMatch(/could not be read as a signing key .*; making a new one/);
    expect(
      (await get(`http://127.0.0.1:${port}/`, 'api/private', `Bearer ${await devToken(port, '')}`))
        .status,
    ).toBe(200);
  });
});

describe('production start (node dist/main.js)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  beforeAll(() => issuer.start());
  afterAll(() => issuer.stop());

  it('names the wildcard address it is bound to, and never writes the development key', async () => {
    const port = await freePort();
    const dataDir = join(emptyDir(), 'data');
    const app = startMain({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '0.0.0.0',
      DATA_DIR: dataDir,
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
    });
    try {
      await app.waitFor(/Listening on/);
      expect(app.output()).toContain(
        `Listening on http://0.0.0.0:${port} (every network interface)`,
      );
      expect((await get(`http://127.0.0.1:${port}/`, 'api/public')).status).toBe(200);
      // The embedded user database lives there too; the development issuer's key never does.
      expect(existsSync(join(dataDir, 'dev-issuer-key.json'))).toBe(false);
    } finally {
      await app.stop();
    }
  });
});
