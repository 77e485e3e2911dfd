import { PGlite } from '@electric-sql/pglite';
import { and, eq } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { AppModule } from '../src/app.module.js';
import { AuthModule } from '../src/auth/index.js';
import { UsersDatabaseHealth, UsersModule, UsersService } from '../src/users/index.js';
import { UsersDatabase } from '../src/users/users.database.js';
import { UsersRepository } from '../src/users/users.repository.js';
import type { UsersOptions } from '../src/users/users.options.js';
import { users } from '../src/users/users.schema.js';
import { startApp, type RunningApp } from './support/app.js';
import { freshDataDir } from './support/data-dir.js';
import { lastSeenCounts } from './support/last-seen.js';
import { freePort, get } from './support/http.js';
import { POSTGRES_INSTALL, postgresBinaries, TestPostgres } from './support/postgres.js';
import { startMain } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

/** The start-up error lines of a process's output (pino's asynchronous lines may come after them). */
function startupErrors(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('Start-up error:'));
}

const AUDIENCE = 'https://quickstarts/api';

/** Keeps what a module logs, for the tests that read it. */
class RecordingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  override warn(message: unknown, context?: string): void {
    this.lines.push(`warn ${context ?? ''}: ${String(message)}`);
  }
}

/**
 * AuthModule (never reached: no request is made) and UsersModule on a fresh data directory unless
 * `users` names one, initialised, for tests that call the users service directly.
 */
async function usersTestModule(
  users: UsersOptions = {},
  logger?: RecordingLogger,
): Promise<TestingModule> {
  const builder = Test.createTestingModule({
    imports: [
      AuthModule.forRoot({
        isGlobal: true,
        issuerUrl: 'http://127.0.0.1:1/',
        audience: AUDIENCE,
        jwksWarmUp: false,
      }),
      UsersModule.forRoot({ dataDir: freshDataDir(), ...users }),
    ],
  });
  if (logger !== undefined) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return moduleRef;
}

/** The principal of `sub` from one issuer, as the service sees it. */
const principalOf = (sub: string) => ({ sub, scopes: [], claims: { iss: 'https://a/' } });

/** Calls `request` for each subject's principal, `CONCURRENCY` at a time, in subject order. */
async function inOrder(
  subjects: readonly string[],
  request: (principal: ReturnType<typeof principalOf>) => Promise<unknown>,
): Promise<void> {
  const CONCURRENCY = 500;
  for (let i = 0; i < subjects.length; i += CONCURRENCY) {
    await Promise.all(subjects.slice(i, i + CONCURRENCY).map((s) => request(principalOf(s))));
  }
}
const bin = postgresBinaries();
if (bin === undefined) {
  process.stderr.write(
    `\n*** SKIPPING the PostgreSQL tests of test/users.e2e-spec.ts: no initdb/pg_ctl found and they could not be installed. Install them with: ${POSTGRES_INSTALL} ***\n\n`,
  );
}
const describePostgres = bin === undefined ? describe.skip : describe;

/** A report line for the closing note: what a test counted. */
function report(line: string): void {
  process.stderr.write(`[users] ${line}\n`);
}

/** Where an app keeps its users: a DATA_DIR, or a database on the test's PostgreSQL server. */
type Storage = { DATA_DIR: string } | { DATABASE_URL: string };

/** Starts `AppModule` for `issuer`'s tokens on `storage`, as `main.ts` would from the environment. */
async function startOn(issuer: TestIssuer, storage: Storage): Promise<RunningApp> {
  delete process.env['DATABASE_URL'];
  Object.assign(process.env, {
    AUTH_ISSUER_URL: issuer.url,
    AUTH_AUDIENCE: issuer.audience,
    ...storage,
  });
  return startApp(AppModule.forRoot(), 'fastify');
}

/** The rows stored for `(issuer, subject)`, read through the app's own connection. */
function rowsOf(app: RunningApp, issuer: string, subject: string) {
  return app.app.get(UsersDatabase).run((db) =>
    db
      .select()
      .from(users)
      .where(and(eq(users.issuer, issuer), eq(users.subject, subject))),
  );
}

const bearer = (token: string) => `Bearer ${token}`;

/** The same tests on either driver. */
function usersSuite(driver: 'pglite' | 'postgres'): void {
  const issuer = new TestIssuer(AUDIENCE);
  const otherIssuer = new TestIssuer(AUDIENCE);
  const postgres = bin === undefined ? undefined : new TestPostgres(bin);
  let storage: Storage;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    await issuer.start();
    await otherIssuer.start();
    if (driver === 'postgres') {
      await postgres!.start();
      storage = { DATABASE_URL: postgres!.url() };
    } else {
      storage = { DATA_DIR: freshDataDir() };
    }
    running = await startOn(issuer, storage);
  }, 120_000);

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
    await otherIssuer.stop();
    await postgres?.stop();
  });

  const app = () => running!;
  const token = (sub: string, scope?: string) =>
    bearer(issuer.token({ claims: { sub, ...(scope === undefined ? {} : { scope }) } }));

  it('creates the user on its first authenticated request, on any route', async () => {
    expect(await rowsOf(app(), issuer.url, 'first-sight')).toEqual([]);
    const reply = await get(app().url, 'api/private', token('first-sight'));
    expect(reply.status).toBe(200);
    const rows = await rowsOf(app(), issuer.url, 'first-sight');
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(
      ['createdAt', 'id', 'issuer', 'lastSeenAt', 'subject'].sort(),
    );
  });

  it('answers a known user without a database round trip', async () => {
    const caller = token('known', 'read:messages');
    expect((await get(app().url, 'api/me', caller)).status).toBe(200);
    const database = app().app.get(UsersDatabase);
    const before = database.queryCount;
    for (const path of ['api/private', 'api/private-scoped', 'api/me', 'api/me']) {
      expect((await get(app().url, path, caller)).status).toBe(200);
    }
    expect(database.queryCount).toBe(before);
  });

  it('GET /api/me answers the stored user and the token scopes', async () => {
    const reply = await get(app().url, 'api/me', token('me-user', 'read:messages write:x'));
    expect(reply.status).toBe(200);
    const [row] = await rowsOf(app(), issuer.url, 'me-user');
    expect(reply.body).toEqual({
      id: row!.id,
      issuer: issuer.url,
      subject: 'me-user',
      createdAt: row!.createdAt.toISOString(),
      lastSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      scopes: ['read:messages', 'write:x'],
    });
  });

  it('creates exactly one row for 50 concurrent first requests of one new subject', async () => {
    const caller = token('fifty');
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        get(app().url, i % 2 === 0 ? 'api/private' : 'api/me', caller),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const ids = new Set(
      replies
        .filter((r) => r.body && 'id' in (r.body as object))
        .map((r) => (r.body as { id: string }).id),
    );
    expect(ids.size).toBe(1);
    const rows = await rowsOf(app(), issuer.url, 'fifty');
    report(`${driver}: rows for one subject after 50 concurrent first requests: ${rows.length}`);
    expect(rows).toHaveLength(1);
  });

  it('the upsert itself is idempotent under 50 concurrent calls (no in-process deduplication)', async () => {
    const repository = app().app.get(UsersRepository);
    const created = await Promise.all(
      Array.from({ length: 50 }, () => repository.findOrCreate(issuer.url, 'upsert-race')),
    );
    expect(new Set(created.map((u) => u.id)).size).toBe(1);
    const rows = await rowsOf(app(), issuer.url, 'upsert-race');
    report(`${driver}: rows after 50 concurrent findOrCreate calls: ${rows.length}`);
    expect(rows).toHaveLength(1);
  });

  it('keeps users across a restart, and the same subject from another issuer is another user', async () => {
    const first = await get(app().url, 'api/me', token('shared-sub'));
    expect(first.status).toBe(200);
    await app().app.close();
    running = undefined;

    running = await startOn(otherIssuer, storage);
    const fromOther = await get(
      app().url,
      'api/me',
      bearer(otherIssuer.token({ claims: { sub: 'shared-sub' } })),
    );
    expect(fromOther.status).toBe(200);
    expect((fromOther.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
    expect((fromOther.body as { issuer: string }).issuer).toBe(otherIssuer.url);
    await app().app.close();
    running = undefined;

    running = await startOn(issuer, storage);
    const again = await get(app().url, 'api/me', token('shared-sub'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: (first.body as { id: string }).id,
      createdAt: (first.body as { createdAt: string }).createdAt,
    });
    expect(await rowsOf(app(), issuer.url, 'shared-sub')).toHaveLength(1);
    expect(await rowsOf(app(), otherIssuer.url, 'shared-sub')).toHaveLength(1);
  }, 120_000);

  it('writes lastSeenAt on app.close(), not on every request', async () => {
    const caller = token('last-seen');
    expect((await get(app().url, 'api/me', caller)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = await get(app().url, 'api/me', caller);
    const lastSeenAt = (seen.body as { lastSeenAt: string }).lastSeenAt;
    const [before] = await rowsOf(app(), issuer.url, 'last-seen');
    expect(before!.lastSeenAt.getTime()).toBeLessThan(Date.parse(lastSeenAt));

    await app().app.close();
    running = undefined;
    running = await startOn(issuer, storage);
    const [after] = await rowsOf(app(), issuer.url, 'last-seen');
    expect(after!.lastSeenAt.toISOString()).toBe(lastSeenAt);
  }, 120_000);

  it('reports the database up to a readiness check', () => {
    expect(app().app.get(UsersDatabaseHealth).state()).toEqual({
      status: 'up',
      since: expect.any(Date),
      lastError: undefined,
      driver,
    });
  });
}

describe('users on pglite', () => usersSuite('pglite'));
describePostgres('users on postgres', () => usersSuite('postgres'));

describePostgres('users on a shared PostgreSQL server', () => {
  const issuer = new TestIssuer(AUDIENCE);
  const postgres = new TestPostgres(bin ?? '');

  beforeAll(async () => {
    await issuer.start();
    await postgres.start();
  }, 120_000);

  afterAll(async () => {
    await issuer.stop();
    await postgres.stop();
  });

  it('two instances started together migrate once and provision a new user once', async () => {
    await postgres.query('CREATE DATABASE two_instances');
    const env = async () => ({
      NODE_ENV: 'production',
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      DATABASE_URL: postgres.url('two_instances'),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
    const envs = [await env(), await env()];
    const instances = envs.map((e) => startMain(e));
    try {
      await Promise.all(instances.map((i) => i.waitFor(/Listening on/, 60_000)));
      const outputs = instances.map((i) => i.output());
      const migrated = outputs.join('\n').match(/applied migrations: 0001_users/g) ?? [];
      expect(migrated).toHaveLength(1);
      for (const output of outputs) expect(output).not.toContain(postgres.password);

      const caller = bearer(issuer.token({ claims: { sub: 'two-instances' } }));
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          get(
            `http://127.0.0.1:${envs[i % 2]!.PORT}/`,
            i % 4 < 2 ? 'api/me' : 'api/private',
            caller,
          ),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
      const rows = await postgres.query(
        'SELECT id FROM users WHERE issuer = $1 AND subject = $2',
        [issuer.url, 'two-instances'],
        'two_instances',
      );
      report(`postgres: rows after 50 concurrent first requests to two instances: ${rows.length}`);
      expect(rows).toHaveLength(1);
      const migrations = await postgres.query(
        'SELECT id FROM schema_migrations',
        [],
        'two_instances',
      );
      expect(migrations).toEqual([{ id: '0001_users' }]);
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
  }, 120_000);

  it('keeps answering while the database is down, /api/me with 503, and recovers with the same user', async () => {
    await postgres.query('CREATE DATABASE outage');
    const running = await startOn(issuer, { DATABASE_URL: postgres.url('outage') });
    const statuses: number[] = [];
    const call = async (path: string, sub: string, scope?: string) => {
      const reply = await get(
        running.url,
        path,
        bearer(issuer.token({ claims: { sub, ...(scope === undefined ? {} : { scope }) } })),
      );
      statuses.push(reply.status);
      return reply;
    };
    try {
      const before = await call('api/me', 'known-before');
      expect(before.status).toBe(200);

      postgres.stopServer();
      for (const sub of ['known-before', 'new-during']) {
        expect((await call('api/public', sub)).status).toBe(200);
        expect((await call('api/private', sub)).status).toBe(200);
        expect((await call('api/private-scoped', sub, 'read:messages')).status).toBe(200);
      }
      const unavailable = await call('api/me', 'new-during');
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(unavailable.body).toEqual({
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'the user store cannot be reached; retry later',
      });
      const state = running.app.get(UsersDatabaseHealth).state();
      expect(state).toMatchObject({ status: 'down', driver: 'postgres' });
      expect(state.lastError).toMatch(/^(ECONNREFUSED|57P01|[A-Za-z]+)$/);
      expect(JSON.stringify(state)).not.toContain(postgres.password);
      // A user known to this instance is still answered from memory.
      expect((await call('api/me', 'known-before')).body).toMatchObject({
        id: (before.body as { id: string }).id,
      });

      postgres.startServer();
      let after = await call('api/me', 'new-during');
      for (let i = 0; i < 120 && after.status !== 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        after = await call('api/me', 'new-during');
      }
      expect(after.status).toBe(200);
      expect(running.app.get(UsersDatabaseHealth).state().status).toBe('up');
      const rows = await postgres.query<{ id: string; subject: string }>(
        'SELECT id, subject FROM users ORDER BY subject',
        [],
        'outage',
      );
      expect(rows).toEqual([
        { id: (before.body as { id: string }).id, subject: 'known-before' },
        { id: (after.body as { id: string }).id, subject: 'new-during' },
      ]);
      expect(statuses).not.toContain(500);
    } finally {
      await running.app.close();
    }
  }, 120_000);

  it('never logs the password of DATABASE_URL, even when the login is refused', async () => {
    const port = await freePort();
    const wrong = postgres.url('postgres').replace(postgres.password, 'wrong-password-secret');
    const child = startMain({
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      DATABASE_URL: wrong,
      PORT: String(port),
    });
    expect(await child.exited).toBe(1);
    expect(startupErrors(child.output())).toEqual([
      'Start-up error: the users schema could not be migrated (28P01: authentication failed; check the user, password and database in DATABASE_URL)',
    ]);
    expect(child.output()).not.toContain('wrong-password-secret');
    expect(child.output()).not.toMatch(/^\s+at /m);
  }, 60_000);
});

describe('users: start-up', () => {
  const issuer = new TestIssuer(AUDIENCE);
  beforeAll(() => issuer.start());
  afterAll(() => issuer.stop());

  it('serves /api/me with no configuration, for a development-issuer token', async () => {
    const port = await freePort();
    const child = startMain({ PORT: String(port) });
    try {
      await child.waitFor(/Listening on/, 60_000);
      const base = `http://127.0.0.1:${port}/`;
      const minted = await fetch(new URL('dev/oauth/token', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scope: 'read:messages' }),
      });
      const { access_token: accessToken } = (await minted.json()) as { access_token: string };
      const me = await get(base, 'api/me', bearer(accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ issuer: base, scopes: ['read:messages'] });
    } finally {
      await child.stop();
    }
  }, 90_000);

  it('serves /api/me from the embedded database in production without DATABASE_URL, warning once', async () => {
    const port = await freePort();
    const child = startMain({
      NODE_ENV: 'production',
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      PORT: String(port),
    });
    try {
      await child.waitFor(/Listening on/, 60_000);
      const me = await get(`http://127.0.0.1:${port}/`, 'api/me', bearer(issuer.token()));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ issuer: issuer.url, subject: 'auth0|user-1' });
      expect(child.output().match(/serves this one instance/g)).toHaveLength(1);
    } finally {
      await child.stop();
    }
  }, 90_000);

  it('refuses a second process on the same DATA_DIR in one line', async () => {
    const dataDir = freshDataDir();
    const env = async () => ({
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    const first = startMain(await env());
    try {
      await first.waitFor(/Listening on/, 60_000);
      const second = startMain(await env());
      expect(await second.exited).toBe(1);
      expect(startupErrors(second.output())).toEqual([
        `Start-up error: DATA_DIR=${dataDir} is in use by process ${first.child.pid} (the embedded database serves one process); stop it, give this process its own DATA_DIR, or set DATABASE_URL to share a PostgreSQL server (if no such process uses it, delete ${dataDir}/pglite.lock)`,
      ]);
    } finally {
      await first.stop();
    }
  }, 90_000);

  it('takes over a lock left by a process that is gone, or naming this pid without holding it', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const pid of [gone, process.pid]) {
      const dataDir = freshDataDir();
      writeFileSync(join(dataDir, 'pglite.lock'), String(pid));
      const running = await startOn(issuer, { DATA_DIR: dataDir });
      try {
        expect((await get(running.url, 'api/me', bearer(issuer.token()))).status).toBe(200);
        expect(readFileSync(join(dataDir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
      } finally {
        await running.app.close();
      }
      expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    }
  }, 90_000);

  it('stops start-up with one line when a migration fails', async () => {
    const dataDir = freshDataDir();
    const db = await PGlite.create(join(dataDir, 'pglite'));
    await db.exec('CREATE TABLE users (name text)');
    await db.close();
    const child = startMain({
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    expect(await child.exited).toBe(1);
    expect(startupErrors(child.output())).toEqual([
      'Start-up error: the users schema could not be migrated (42P07)',
    ]);
    expect(child.output()).not.toMatch(/^\s+at /m);
  }, 90_000);
});

describe('users: first sights', () => {
  it('creates the users of concurrent first sights in one statement, which finds those that exist', async () => {
    const moduleRef = await usersTestModule();
    try {
      const service = moduleRef.get(UsersService);
      const database = moduleRef.get(UsersDatabase);
      const repository = moduleRef.get(UsersRepository);
      // Two rows another instance created: found, not duplicated.
      const existing = await repository.findOrCreateMany([
        { issuer: 'https://a/', subject: 's0' },
        { issuer: 'https://a/', subject: 's1' },
      ]);
      const before = database.queryCount;
      const stored = await Promise.all(
        Array.from({ length: 30 }, (_, i) => service.storedUserFor(principalOf(`s${i}`))),
      );
      // One upsert of the 30, which also returns the two that existed.
      expect(database.queryCount - before).toBe(1);
      expect(stored.map((u) => u.subject)).toEqual(Array.from({ length: 30 }, (_, i) => `s${i}`));
      expect(stored.slice(0, 2).map((u) => u.id)).toEqual(existing.map((u) => u.id));
      const rows = await database.run((db) => db.select().from(users));
      expect(rows).toHaveLength(30);
    } finally {
      await moduleRef.close();
    }
  }, 60_000);
});

describe('users: more active users than the cache holds', () => {
  const SUBJECTS = 16_385;

  it.each([
    ['/api/private', 'provisionQuietly'],
    ['/api/me', 'storedUserFor'],
  ] as const)(
    'writes lastSeenAt of every one of 16 385 users seen twice in the same order with a cache of 300 (%s)',
    async (route, method) => {
      const dataDir = freshDataDir();
      const moduleRef = await usersTestModule({ dataDir, cacheMaxEntries: 300 });
      const service = moduleRef.get(UsersService);
      // As UserProvisioningInterceptor (every route) and MeController (/api/me) ask.
      const request = async (principal: ReturnType<typeof principalOf>) => {
        if (method === 'storedUserFor') return service.storedUserFor(principal);
        if (!service.see(principal)) await service.provisionQuietly(principal);
      };
      const subjects = Array.from({ length: SUBJECTS }, (_, i) => `user-${i}`);
      try {
        await inOrder(subjects, request);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const started = performance.now();
        await inOrder(subjects, request);
        report(
          `${route}: second round of ${SUBJECTS} evicted users took ${Math.round(performance.now() - started)} ms`,
        );
      } finally {
        await moduleRef.close();
      }
      const counted = await lastSeenCounts(dataDir);
      report(
        `${route}: users whose lastSeenAt advanced after the second round: ${counted.advanced} of ${counted.rows}`,
      );
      expect(counted).toEqual({ rows: SUBJECTS, advanced: SUBJECTS });
    },
    120_000,
  );

  it('costs one statement for a known user whose entry was evicted, and writes its lastSeenAt', async () => {
    const moduleRef = await usersTestModule({ cacheMaxEntries: 1 });
    try {
      const service = moduleRef.get(UsersService);
      const database = moduleRef.get(UsersDatabase);
      const first = await service.storedUserFor(principalOf('evicted'));
      await service.storedUserFor(principalOf('evicts-it'));
      const before = database.queryCount;
      const again = await service.storedUserFor(principalOf('evicted'));
      expect(database.queryCount - before).toBe(1);
      expect(again.id).toBe(first.id);
      const [row] = await database.run((db) =>
        db.select().from(users).where(eq(users.id, first.id)),
      );
      expect(row!.lastSeenAt.getTime()).toBeGreaterThan(first.createdAt.getTime());
    } finally {
      await moduleRef.close();
    }
  });

  it('takes the cache size from USERS_CACHE_MAX_ENTRIES: 200 users over HTTP, a cache of 50', async () => {
    const issuer = new TestIssuer(AUDIENCE);
    await issuer.start();
    process.env['USERS_CACHE_MAX_ENTRIES'] = '50';
    const running = await startOn(issuer, { DATA_DIR: freshDataDir() });
    try {
      const database = running.app.get(UsersDatabase);
      const tokens = Array.from({ length: 200 }, (_, i) =>
        bearer(issuer.token({ claims: { sub: `http-${i}` } })),
      );
      const round = async () => {
        for (let i = 0; i < tokens.length; i += 20) {
          const replies = await Promise.all(
            tokens.slice(i, i + 20).map((t) => get(running.url, 'api/private', t)),
          );
          expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
        }
      };
      await round();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await round();
      // Every user was evicted before its second request, whose statement wrote its lastSeenAt
      // (with the default cache of 16 384 it would be written a minute later, or on close).
      const rows = await database.run((db) => db.select().from(users));
      expect(rows).toHaveLength(200);
      expect(rows.filter((r) => r.lastSeenAt > r.createdAt)).toHaveLength(200);
    } finally {
      delete process.env['USERS_CACHE_MAX_ENTRIES'];
      await running.app.close();
      await issuer.stop();
    }
  }, 60_000);
});

describe('users: lastSeenAt writes', () => {
  it('writes lastSeenAt at most once per interval, for many users in one statement, off the request path', async () => {
    // Written when a second has passed since the last write, checked every 0.7 s.
    const moduleRef = await usersTestModule({ lastSeenWriteIntervalSec: 1, flushIntervalMs: 700 });
    try {
      const service = moduleRef.get(UsersService);
      const database = moduleRef.get(UsersDatabase);
      const created = await Promise.all(
        ['a', 'b'].map((s) => service.storedUserFor(principalOf(s))),
      );
      const before = database.queryCount;
      const started = Date.now();
      while (Date.now() - started < 2_000) {
        await Promise.all(['a', 'b'].map((s) => service.storedUserFor(principalOf(s))));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Both became due together (about 1 s after creation) and were written by the 1.4 s tick.
      expect(database.queryCount - before).toBe(1);
      const rows = await database.run((db) => db.select().from(users));
      for (const row of rows) {
        const made = created.find((u) => u.id === row.id)!;
        expect(row.lastSeenAt.getTime()).toBeGreaterThan(made.createdAt.getTime() + 900);
      }
    } finally {
      await moduleRef.close();
    }
  }, 60_000);

  /** 16 000 users created, then seen again: 16 000 `lastSeenAt` values pending. */
  async function pendingUsers(moduleRef: TestingModule): Promise<void> {
    const service = moduleRef.get(UsersService);
    const subjects = Array.from({ length: 16_000 }, (_, i) => `pending-${i}`);
    await inOrder(subjects, (p) => service.storedUserFor(p));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await inOrder(subjects, (p) => service.storedUserFor(p));
  }

  it('writes 16 000 pending lastSeenAt values on close in statements of 4 000, cutting a paced write short', async () => {
    const dataDir = freshDataDir();
    // Due a second after they were written, checked every 0.3 s: a paced write starts during the test.
    // 3 750 ms is what SHUTDOWN_TIMEOUT_MS=5000 leaves the write on close.
    const moduleRef = await usersTestModule({
      dataDir,
      lastSeenWriteIntervalSec: 1,
      flushIntervalMs: 300,
      closeWriteTimeoutMs: 3_750,
    });
    const database = moduleRef.get(UsersDatabase);
    await pendingUsers(moduleRef);
    // A paced write of 50 users a statement, 20 ms or more apart, would take 6 s or more for all.
    const statementsBefore = database.queryCount;
    const deadline = Date.now() + 20_000;
    while (database.queryCount - statementsBefore < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(database.queryCount - statementsBefore).toBeGreaterThanOrEqual(3);
    const before = database.queryCount;
    const started = performance.now();
    await moduleRef.close();
    const closeMs = performance.now() - started;
    const statements = database.queryCount - before;
    const counted = await lastSeenCounts(dataDir);
    report(
      `close with 16 000 pending lastSeenAt values: ${Math.round(closeMs)} ms, ${statements} statements, ${counted.advanced} of ${counted.rows} written`,
    );
    expect(counted).toEqual({ rows: 16_000, advanced: 16_000 });
    // At most one statement of the paced write, then 5 of up to 4 000 (against 320 of 50).
    expect(statements).toBeLessThanOrEqual(6);
    expect(closeMs).toBeLessThan(3_750);
  }, 120_000);

  it('drops what it cannot write within closeWriteTimeoutMs on close, and logs how many in one line', async () => {
    const dataDir = freshDataDir();
    const logger = new RecordingLogger();
    const moduleRef = await usersTestModule({ dataDir, closeWriteTimeoutMs: 50 }, logger);
    await pendingUsers(moduleRef);
    await moduleRef.close();
    const counted = await lastSeenCounts(dataDir);
    const lines = logger.lines.filter((line) => line.includes('lastSeenAt'));
    report(`close with 50 ms for 16 000 lastSeenAt values: ${lines.join(' | ')}`);
    expect(lines).toEqual([
      `warn Users: shutdown: ${16_000 - counted.advanced} of 16000 lastSeenAt values dropped (not written within 50 ms); those users keep an earlier lastSeenAt`,
    ]);
    expect(counted.advanced).toBeLessThan(16_000);
  }, 120_000);

  it('leaves the event loop to requests between the statements of a periodic write', async () => {
    const moduleRef = await usersTestModule({ lastSeenWriteIntervalSec: 1, flushIntervalMs: 500 });
    try {
      const service = moduleRef.get(UsersService);
      const repository = moduleRef.get(UsersRepository);
      for (let i = 0; i < 150; i += 1) await service.storedUserFor(principalOf(`p${i}`));
      // When each statement started and ended (the real repository underneath).
      const statements: { start: number; end: number }[] = [];
      const touch = repository.touch.bind(repository);
      repository.touch = async (seen) => {
        const statement = { start: performance.now(), end: 0 };
        statements.push(statement);
        await touch(seen);
        statement.end = performance.now();
      };
      for (let i = 0; i < 150; i += 1) await service.storedUserFor(principalOf(`p${i}`));
      const deadline = Date.now() + 10_000;
      while (statements.filter((s) => s.end > 0).length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(statements.length).toBe(3);
      // At least 20 ms apart, and three times as long as the statement before took: a timer may
      // fire late, never early (1 ms for its rounding).
      for (let i = 1; i < statements.length; i += 1) {
        const previous = statements[i - 1]!;
        const gap = statements[i]!.start - previous.end;
        expect(gap).toBeGreaterThanOrEqual(19);
        expect(gap).toBeGreaterThanOrEqual(3 * (previous.end - previous.start) - 1);
      }
    } finally {
      await moduleRef.close();
    }
  }, 60_000);
});
