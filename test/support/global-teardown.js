// jest globalTeardown: deletes the DATA_DIR copies of this run (each holds a 40 MB database).
import { rmSync } from 'node:fs';

export default function globalTeardown() {
  if (process.env.TEST_DATA_ROOT)
    rmSync(process.env.TEST_DATA_ROOT, { recursive: true, force: true });
}
