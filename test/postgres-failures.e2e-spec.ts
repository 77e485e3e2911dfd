import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from './support/http.js';
import { POSTGRES_INSTALL, postgresBinaries, TestPostgres } from './support/postgres.js';
import { MAIN, startMain, startNode, emptyDir, type AppProcess } from './support/process.js';

/** The environment of a production start whose issuer is never reached (no request is made). */
async function productionEnv(databaseUrl: string): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'production',
    AUTH_ISSUER_URL: 'http://127.0.0.1:1/',
    AUTH_AUDIENCE: 'https://quickstarts/api',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
  };
}

/** The `msg` of each JSON log line whose context is `context`; fails on a line that is not JSON. */
function messages(output: string, context: string): string[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as { context?: string; msg?: string };
      } catch {
        throw new Error(`not a JSON log line: ${line}\nin:\n${output}`);
      }
    })
    .filter((entry) => entry.context === context)
    .map((entry) => entry.msg ?? '');
}

/** Waits for the app's one "database unreachable" line, stops the app, and returns the line. */
async function unreachableLine(app: AppProcess, timeoutMs = 30_000): Promise<string> {
  try {
    await app.waitFor(/database unreachable/, timeoutMs);
  } finally {
    await app.stop();
  }
  const lines = messages(app.output(), 'Users').filter((m) => m.includes('database unreachable'));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

const SECRET = 'pw-never-logged-secret';

describe('PostgreSQL connection failures, each named in one log line', () => {
  it('names a timeout: a server on 127.0.0.1 that accepts and never answers', async () => {
    const silent: Socket[] = [];
    const server: Server = createServer((socket) => silent.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const app = startMain(await productionEnv(`postgres://app:${SECRET}@127.0.0.1:${port}/app`));
      const line = await unreachableLine(app);
      expect(line).toMatch(/^database unreachable \(timeout: no connection within 5000 ms\): /);
      expect(app.output()).not.toContain(SECRET);
      expect(silent.length).toBeGreaterThan(0);
    } finally {
      for (const socket of silent) socket.destroy();
      server.close();
    }
  }, 60_000);

  it('names a refused connection', async () => {
    const port = await freePort();
    const app = startMain(await productionEnv(`postgres://app:${SECRET}@127.0.0.1:${port}/app`));
    expect(await unreachableLine(app)).toMatch(
      /^database unreachable \(ECONNREFUSED: connection refused\): /,
    );
    expect(app.output()).not.toContain(SECRET);
  }, 60_000);

  // RFC 6761 §6.4: a .invalid name never resolves. The app runs in a network namespace of its
  // own with only a loopback interface, so that the lookup fails in the local resolver and no
  // DNS query leaves the machine.
  const unshare =
    spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
  (unshare ? it : it.skip)(
    'names a host name that does not resolve (db.invalid, looked up without a network)',
    async () => {
      const env = await productionEnv(`postgres://app:${SECRET}@db.invalid:5432/app`);
      const app = startNode(
        ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, MAIN],
        env,
        emptyDir(),
        'unshare',
      );
      expect(await unreachableLine(app)).toMatch(
        /^database unreachable \((ENOTFOUND: DNS has no|EAI_AGAIN: DNS could not resolve) host db\.invalid( now)?\): /,
      );
      expect(app.output()).not.toContain(SECRET);
    },
    60_000,
  );
});

const bin = postgresBinaries();
if (bin === undefined) {
  process.stderr.write(
    `\n*** SKIPPING the PostgreSQL tests of test/postgres-failures.e2e-spec.ts: no initdb/pg_ctl found. Install them with: ${POSTGRES_INSTALL} ***\n\n`,
  );
}

(bin === undefined ? describe.skip : describe)('against a real PostgreSQL server', () => {
  const postgres = new TestPostgres(bin ?? '');
  beforeAll(() => postgres.start(), 120_000);
  afterAll(() => postgres.stop());

  it("names TLS refused when DATABASE_URL asks for TLS and the server offers none, and logs the driver's sslmode warning as one JSON line", async () => {
    const app = startMain(await productionEnv(`${postgres.url()}?sslmode=require`));
    const line = await unreachableLine(app);
    expect(line).toMatch(
      /^database unreachable \(TLS refused: the server offers no TLS, which sslmode in DATABASE_URL asks for\): /,
    );
    // messages() fails on any line that is not JSON: Node would print this warning on nine.
    const warnings = messages(app.output(), 'Process');
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Warning: SECURITY WARNING: The SSL modes .* are treated as aliases for 'verify-full'\. In the next major version .* for libpq SSL mode definitions\.$/,
      ),
    ]);
    expect(app.output()).not.toContain(postgres.password);
  }, 60_000);

  it('names a failed login in the one start-up line, without the password', async () => {
    const wrong = postgres.url().replace(postgres.password, SECRET);
    const app = startMain(await productionEnv(wrong));
    expect(await app.exited).toBe(1);
    const errors = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('Start-up error:'));
    expect(errors).toEqual([
      'Start-up error: the users schema could not be migrated (28P01: authentication failed; check the user, password and database in DATABASE_URL)',
    ]);
    expect(app.output()).not.toContain(SECRET);
  }, 60_000);
});
