import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { DatabaseStartupError } from './users.errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds, so that a lock naming this process's id is told from a stale one. */
const held = new Set<string>();

/**
 * Takes `path` as a lock file holding this process's id, or throws naming the process that holds
 * it: two processes opening one PGlite directory would corrupt it (PGlite takes no lock itself).
 * A lock left by a process that is gone, or naming this process's id without being held here (a
 * container restarted with the same pid), is taken over. Returns the release function.
 */
export function lockDataDir(path: string, dataDir: string): () => void {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      // Removed between our open and read: try again.
    }
    const ours = holder === process.pid;
    if (Number.isSafeInteger(holder) && holder > 0 && (ours ? held.has(path) : alive(holder))) {
      throw new DatabaseStartupError(
        `DATA_DIR=${dataDir} is in use by process ${holder} (the embedded database serves one process); stop it, give this process its own DATA_DIR, or set DATABASE_URL to share a PostgreSQL server (if no such process uses it, delete ${path})`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new DatabaseStartupError(
    `DATA_DIR=${dataDir}: could not take ${path}; remove it and retry`,
  );
}
