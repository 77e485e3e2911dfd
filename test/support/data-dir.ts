import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directories made by {@link freshDataDir} in this test file. */
const made: string[] = [];

/**
 * A new, empty `DATA_DIR` whose embedded database is a copy of the one jest's globalSetup
 * initialised (test/support/pglite-template.js), so that starting the app skips initdb.
 */
export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-api-data-'));
  made.push(dir);
  const template = process.env['PGLITE_TEMPLATE_DIR'];
  if (template !== undefined && existsSync(template)) {
    cpSync(template, join(dir, 'pglite'), { recursive: true });
  }
  return dir;
}

/** Deletes every directory {@link freshDataDir} made (each holds a 40 MB database). */
export function removeDataDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
