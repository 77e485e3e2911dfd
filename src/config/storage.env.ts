import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { set, type Env } from './env-values.js';

/** Where the app keeps its state: a PostgreSQL server, or the embedded database under the data directory. */
export interface StorageEnv {
  /** `postgres://...` of a shared PostgreSQL server; `undefined` for the embedded database. */
  databaseUrl: string | undefined;
  /** Absolute path of the data directory (embedded database, development issuer key); created on first start. */
  dataDir: string;
}

const DATABASE_URL_FIX =
  'set it like DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE, or unset it to use the embedded database under DATA_DIR';

/** Checks `DATABASE_URL` without ever repeating it: it may hold a password. */
function databaseUrlFrom(problems: string[], env: Env): string | undefined {
  const raw = set(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`DATABASE_URL is not a URL; ${DATABASE_URL_FIX}`);
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push(`DATABASE_URL must be a postgres:// URL; ${DATABASE_URL_FIX}`);
    return undefined;
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    problems.push(`DATABASE_URL names no host; ${DATABASE_URL_FIX}`);
    return undefined;
  }
  return raw;
}

/**
 * `DATA_DIR`, absolute (default `./data`): the app's own files, such as the embedded database. It
 * must be one this process can write: the directory itself when it exists, otherwise the nearest
 * existing parent it will be created in. Nothing is created here.
 */
export function parseDataDir(problems: string[], env: Env): string {
  const dataDir = resolve(set(env, 'DATA_DIR') ?? './data');
  let existing = dataDir;
  while (!existsSync(existing)) existing = dirname(existing);
  let reason: string | undefined;
  try {
    if (statSync(existing).isDirectory()) accessSync(existing, constants.W_OK | constants.X_OK);
    else reason = `${existing} is not a directory`;
  } catch (error) {
    reason = `${(error as NodeJS.ErrnoException).code ?? 'error'} at ${existing}`;
  }
  if (reason !== undefined) {
    problems.push(
      `DATA_DIR=${dataDir} cannot be written (${reason}); set DATA_DIR to a directory this user can write`,
    );
  }
  return dataDir;
}

/** Parses `DATABASE_URL` and `DATA_DIR`, adding one line per mistake to `problems`. */
export function parseStorageEnv(problems: string[], env: Env): StorageEnv {
  return { databaseUrl: databaseUrlFrom(problems, env), dataDir: parseDataDir(problems, env) };
}
