// The last step of `npm run build`: an embedded-database data directory initialised by the installed
// PGlite, in dist/pglite-template/<version>, which the app copies on a first start instead of running
// initdb (600-700 MB for 10-30 s; see src/users/pglite-data-dir.ts). Made once per PGlite version;
// templates of other versions are deleted.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  initialiseDataDir,
  PGLITE_TEMPLATE_DIR,
  PGLITE_VERSION,
} from '../dist/users/pglite-data-dir.js';

const root = dirname(PGLITE_TEMPLATE_DIR);
mkdirSync(root, { recursive: true });
for (const entry of readdirSync(root)) {
  if (entry !== PGLITE_VERSION) rmSync(join(root, entry), { recursive: true, force: true });
}
if (!existsSync(join(PGLITE_TEMPLATE_DIR, 'PG_VERSION'))) {
  rmSync(PGLITE_TEMPLATE_DIR, { recursive: true, force: true });
  const started = Date.now();
  await initialiseDataDir(PGLITE_TEMPLATE_DIR);
  process.stdout.write(
    `dist/pglite-template/${basename(PGLITE_TEMPLATE_DIR)}: PGlite's initdb, ${Date.now() - started} ms\n`,
  );
}
