import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new, empty `DATA_DIR` whose embedded database is a copy of the one jest's globalSetup
 * initialised (test/support/global-setup.js), so that starting the app skips initdb. It is made
 * under the run's directory, which globalTeardown deletes.
 */
export function freshDataDir(): string {
  const dir = mkdtempSync(join(process.env['TEST_DATA_ROOT'] ?? tmpdir(), 'data-'));
  const template = process.env['PGLITE_TEMPLATE_DIR'];
  if (template !== undefined && existsSync(template)) {
    cpSync(template, join(dir, 'pglite'), { recursive: true });
  }
  return dir;
}
