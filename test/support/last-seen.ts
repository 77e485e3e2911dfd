import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * The users stored under `dataDir`, and those whose `last_seen_at` is later than their
 * `created_at`; read once the app that used the directory has closed it.
 */
export async function lastSeenCounts(dataDir: string): Promise<{ rows: number; advanced: number }> {
  const db = await PGlite.create(join(dataDir, 'pglite'));
  try {
    const { rows } = await db.query<{ rows: number; advanced: number }>(
      'SELECT count(*)::int AS rows, count(*) FILTER (WHERE last_seen_at > created_at)::int AS advanced FROM users',
    );
    return rows[0]!;
  } finally {
    await db.close();
  }
}
