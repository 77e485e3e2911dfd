// jest globalSetup: initialises one PGlite data directory per PGlite version (initdb takes seconds
// and hundreds of MB), which every test copies instead of initialising its own, and makes the
// directory those copies go in, which global-teardown.js deletes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export default function globalSetup() {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
  const template = join(tmpdir(), `pglite-template-${pkg.version}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const building = mkdtempSync(join(tmpdir(), 'pglite-template-building-'));
    const script = `import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create(${JSON.stringify(building)}); await db.close();`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      stdio: 'inherit',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error('could not initialise the PGlite template');
    try {
      renameSync(building, template);
    } catch {
      // Another test run made it first.
      rmSync(building, { recursive: true, force: true });
    }
  }
  process.env.PGLITE_TEMPLATE_DIR = template;
  process.env.TEST_DATA_ROOT = mkdtempSync(join(tmpdir(), 'auth-api-test-data-'));
}
