import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger as DrizzleLogger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { lockDataDir } from './data-dir.lock.js';
import { failureCause } from './database-failure.js';
import { initialiseDataDir } from './pglite-data-dir.js';
import { UsersDatabaseHealth } from './users-database.health.js';
import {
  DatabaseStartupError,
  errorClass,
  isUnreachable,
  UsersUnavailableError,
} from './users.errors.js';
import { migrate } from './users.migrations.js';
import { USERS_SETTINGS } from './users.constants.js';
import type { UsersSettings } from './users.options.js';

/** The query layer both drivers share. */
export type Database = PgDatabase<PgQueryResultHKT>;

const FIRST_RETRY_MS = 500;
const CONNECT_TIMEOUT_MS = 5_000;

/** One line saying that a migration failed: a refused login, no such database, a bad statement. */
function migrationFailure(error: unknown): string {
  const cause = failureCause(error, CONNECT_TIMEOUT_MS);
  // SQLSTATE class 28 (invalid authorization) or 3D000 (no such database): DATABASE_URL is wrong.
  let hint = /^(28...|3D000)$/.test(errorClass(error))
    ? '; check the user, password and database in DATABASE_URL'
    : '';
  if (cause.endsWith('the server requires TLS')) hint = '; add sslmode=require to DATABASE_URL';
  return `the users schema could not be migrated (${cause}${hint})`;
}

/**
 * The database connection: PGlite under the data directory by default, `pg` when a URL is set.
 * Migrates at start-up; a server that cannot be reached does not stop start-up but is retried with
 * backoff, and while it is down {@link run} fails at once instead of making requests wait.
 */
@Injectable()
export class UsersDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Users');
  private db: Database | undefined;
  private close: (() => Promise<void>) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = FIRST_RETRY_MS;
  private nextRetryAt = 0;
  private queries = 0;
  private readonly countQueries: DrizzleLogger = { logQuery: () => (this.queries += 1) };

  constructor(
    @Inject(USERS_SETTINGS) private readonly settings: UsersSettings,
    private readonly health: UsersDatabaseHealth,
  ) {}

  /** Statements sent so far (the tests prove a known user costs none). */
  get queryCount(): number {
    return this.queries;
  }

  async onModuleInit(): Promise<void> {
    const { databaseUrl } = this.settings;
    this.health.setDriver(databaseUrl === undefined ? 'pglite' : 'postgres');
    this.db =
      databaseUrl === undefined ? await this.openPglite() : await this.openPostgres(databaseUrl);
    try {
      await this.migrate();
    } catch (error) {
      if (!isUnreachable(error)) {
        throw new DatabaseStartupError(migrationFailure(error), { cause: error });
      }
      this.failed(error);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.close?.();
    this.close = undefined;
  }

  /**
   * Runs `work` against the database, or throws {@link UsersUnavailableError} at once while it is
   * down; an unreachable server met here marks it down and starts the reconnection attempts.
   */
  async run<T>(work: (db: Database) => Promise<T>): Promise<T> {
    if (!this.health.up || this.db === undefined) throw this.unavailable();
    try {
      return await work(this.db);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.failed(error);
      throw this.unavailable(error);
    }
  }

  private unavailable(cause?: unknown): UsersUnavailableError {
    const seconds = Math.ceil(Math.max(this.nextRetryAt - Date.now(), 1000) / 1000);
    return new UsersUnavailableError(seconds, { cause });
  }

  private async openPglite(): Promise<Database> {
    const { dataDir } = this.settings;
    let directory: string | undefined;
    let release = () => {};
    if (dataDir !== undefined) {
      directory = join(dataDir, 'pglite');
      mkdirSync(directory, { recursive: true });
      release = lockDataDir(join(dataDir, 'pglite.lock'), dataDir);
      await this.initialise(directory, release);
    }
    if (this.settings.production) {
      this.logger.warn(
        'no DATABASE_URL: users are stored in the embedded database under DATA_DIR, which serves this one instance; set DATABASE_URL to share a PostgreSQL server between instances',
      );
    }
    // PGlite is PostgreSQL compiled to WebAssembly. By default V8 compiles it twice: Liftoff, then TurboFan
    // for the functions it finds hot, on background threads. That second tier kept 50-60 MB more
    // resident (never given back) and made first-sight inserts about 2x slower while it compiled; Liftoff
    // alone makes lastSeenAt writes 1.2x slower (`node bench/pglite-tiers.mjs`, docs/PERFORMANCE.md).
    // The flag is read when a module is compiled: setting it before PGlite's module is compiled is enough.
    setFlagsFromString('--liftoff-only');
    // Each driver is loaded only when it is used (with its drizzle adapter: 3-5 MB of heap each).
    const [{ PGlite }, { drizzle }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
    ]);
    let client: PGlite;
    try {
      // 4 MB of shared buffers instead of 128 (each MB is resident from the start): the users table
      // takes about 3 MB per 10 000 users with its indexes, and what does not fit is read through the
      // OS page cache.
      client = await PGlite.create(directory, { postgresqlconf: 'shared_buffers=4MB' });
    } catch (error) {
      release();
      throw new DatabaseStartupError(
        `the embedded database under DATA_DIR=${dataDir} could not be opened (${errorClass(error)}); move the directory aside to start afresh, or set DATABASE_URL`,
        { cause: error },
      );
    }
    this.close = async () => {
      await client.close();
      release();
    };
    this.logger.log(`users stored in the embedded database (${directory ?? 'in memory'})`);
    return drizzle({ client, logger: this.countQueries }) as unknown as Database;
  }

  /** A first start: fills the empty data directory without running initdb in this process. */
  private async initialise(directory: string, release: () => void): Promise<void> {
    try {
      await initialiseDataDir(directory, {
        starting: (how) =>
          this.logger.log(
            how === 'template'
              ? `first start: initialising ${directory} from the build's template`
              : `first start: initialising ${directory} with initdb in a child process (10-30 s, 600-700 MB; npm run build makes a template that needs neither)`,
          ),
      });
    } catch (error) {
      release();
      throw new DatabaseStartupError(
        `the embedded database under ${directory} could not be initialised (${(error as Error).message}); check that DATA_DIR can be written, or set DATABASE_URL`,
        { cause: error },
      );
    }
  }

  private async openPostgres(databaseUrl: string): Promise<Database> {
    const [{ default: pg }, { drizzle }] = await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
    ]);
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection dropped by the server is reported here; without a listener it would crash the process.
    pool.on('error', (error) => this.failed(error));
    this.close = () => pool.end();
    const { hostname, port, pathname } = new URL(databaseUrl);
    this.logger.log(`users stored in PostgreSQL at ${hostname}:${port || 5432}${pathname}`);
    return drizzle({ client: pool, logger: this.countQueries }) as unknown as Database;
  }

  private async migrate(): Promise<void> {
    const applied = await migrate(this.db!);
    if (applied.length > 0) this.logger.log(`applied migrations: ${applied.join(', ')}`);
    this.retryDelayMs = FIRST_RETRY_MS;
    this.health.markUp();
  }

  private failed(error: unknown): void {
    this.health.markDown(errorClass(error), failureCause(error, CONNECT_TIMEOUT_MS));
    if (this.retryTimer !== undefined || this.close === undefined) return;
    this.nextRetryAt = Date.now() + this.retryDelayMs;
    this.retryTimer = setTimeout(() => void this.retry(), this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.settings.retryMaxDelayMs);
  }

  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    try {
      await this.migrate();
    } catch (error) {
      if (!isUnreachable(error)) this.logger.error(migrationFailure(error));
      this.failed(error);
    }
  }
}
