import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { installFromDebian } from './debian.js';
import { freePort } from './http.js';

/** The Debian package and the command that installs it, named when the tests must skip. */
export const POSTGRES_INSTALL = 'apt-get install -y --no-install-recommends postgresql';

/** Where Debian keeps initdb and pg_ctl (not on PATH), newest version first, then PATH. */
function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0]!, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = which.stdout.trim();
  return which.status === 0 && initdb !== '' ? join(initdb, '..') : undefined;
}

/**
 * The PostgreSQL server binaries, installed from Debian's packages when missing and this process
 * may (root, or password-less sudo); `undefined` when they cannot be had.
 */
export function postgresBinaries(): string | undefined {
  const found = findBinDir();
  if (found !== undefined) return found;
  if (!installFromDebian(['postgresql'])) return undefined;
  return findBinDir();
}

/** A throwaway PostgreSQL server on 127.0.0.1, owned by this test run. */
export class TestPostgres {
  readonly user = 'app';
  /** Distinctive, so that the tests can prove it is never logged. */
  readonly password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  port = 0;
  private dir = '';

  constructor(private readonly bin: string) {}

  /** `postgres://` URL of `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://${this.user}:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb (as `nobody` when this process is root: initdb refuses root) and start on a free port. */
  async start(): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'test-postgres-'));
    chmodSync(this.dir, 0o700);
    if (process.getuid?.() === 0) chownSync(this.dir, 65534, 65534);
    writeFileSync(join(this.dir, 'pwfile'), this.password);
    if (process.getuid?.() === 0) chownSync(join(this.dir, 'pwfile'), 65534, 65534);
    this.run('initdb', [
      '-D',
      join(this.dir, 'data'),
      '-U',
      this.user,
      '--pwfile',
      join(this.dir, 'pwfile'),
      '--auth',
      'scram-sha-256',
      '--no-sync',
    ]);
    this.port = await freePort();
    this.startServer();
    return this;
  }

  /** Starts the server again after {@link stopServer}, on the same port and data. */
  startServer(): void {
    this.run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** Stops the server (fast shutdown: connections are closed), keeping its data. */
  stopServer(): void {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  /** Stops the server and deletes its files. */
  async stop(): Promise<void> {
    if (this.dir === '') return;
    if (existsSync(join(this.dir, 'data', 'postmaster.pid'))) this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  /** Runs `sql` on `database` with a connection of its own. */
  async query<T extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  private run(tool: string, args: string[]): void {
    const command = join(this.bin, tool);
    const asNobody = process.getuid?.() === 0;
    const result = spawnSync(
      asNobody ? 'runuser' : command,
      asNobody ? ['-u', 'nobody', '--', command, ...args] : args,
      { encoding: 'utf8', timeout: 120_000, cwd: this.dir },
    );
    if (result.status !== 0) {
      throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  }
}
