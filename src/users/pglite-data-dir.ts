import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');

/** The installed PGlite's version: a data directory serves the PostgreSQL that made it. */
export const PGLITE_VERSION: string = (
  JSON.parse(readFileSync(join(dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Where `npm run build` keeps a data directory initialised by the installed PGlite, beside the
 * compiled code (`dist/pglite-template/<version>`); absent when it was not built.
 */
export const PGLITE_TEMPLATE_DIR = join(
  fileURLToPath(new URL('../pglite-template/', import.meta.url)),
  PGLITE_VERSION,
);

/** How long PGlite's initdb may take in its child process before start-up gives up. */
const INITDB_TIMEOUT_MS = 300_000;

// Liftoff only, as in the app (users.database.ts): the second compiler tier would only add memory.
// A failure is one line on stderr, for the app's start-up error.
const INITDB_SCRIPT = `
import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--liftoff-only');
try {
  const { PGlite } = await import(${JSON.stringify(pathToFileURL(pgliteEntry).href)});
  const db = await PGlite.create(process.argv[1]);
  await db.close();
} catch (error) {
  process.stderr.write(String(error?.message ?? error).split('\\n')[0] + '\\n');
  process.exitCode = 1;
}
`;

/**
 * Runs PGlite's initdb on `directory` in a short-lived child process: initdb holds 600-700 MB
 * (two PostgreSQL instances and a copy of one's heap) that a process gives back only at its next
 * full garbage collection, if at all, so the app's process never runs it.
 */
export function initdbInChild(directory: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', INITDB_SCRIPT, directory], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    const timer = setTimeout(() => child.kill('SIGKILL'), INITDB_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const reason = signal === 'SIGKILL' ? `no result in ${INITDB_TIMEOUT_MS / 1000} s` : '';
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      reject(new Error(`initdb ${reason || `exited with ${code ?? signal}`}: ${lastLine}`));
    });
  });
}

/** How {@link initialiseDataDir} filled the directory. */
export type Initialised = 'template' | 'initdb';

/** Options of {@link initialiseDataDir}. */
export interface InitialiseOptions {
  /** An initialised data directory to copy. @default PGLITE_TEMPLATE_DIR */
  template?: string;
  /** Told which way is taken, before it starts (initdb takes 10-30 s). */
  starting?: (how: Initialised) => void;
}

/**
 * Makes `directory` a PGlite data directory when it is missing or empty: a copy of the template
 * when the build made one for this PGlite version, otherwise initdb in a child process. The result
 * is assembled beside it and renamed into place, so that a start-up interrupted half-way leaves
 * nothing PGlite would take for a database. Returns `undefined` when the directory already holds
 * something (a database, or what PGlite should judge itself). The caller holds the data
 * directory's lock.
 */
export async function initialiseDataDir(
  directory: string,
  { template = PGLITE_TEMPLATE_DIR, starting }: InitialiseOptions = {},
): Promise<Initialised | undefined> {
  if (existsSync(directory) && readdirSync(directory).length > 0) return undefined;
  const staging = `${directory}.initialising`;
  rmSync(staging, { recursive: true, force: true });
  const how: Initialised = existsSync(join(template, 'PG_VERSION')) ? 'template' : 'initdb';
  starting?.(how);
  if (how === 'template') cpSync(template, staging, { recursive: true });
  else await initdbInChild(staging);
  if (existsSync(directory)) rmdirSync(directory);
  renameSync(staging, directory);
  return how;
}
