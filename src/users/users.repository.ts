import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { UsersDatabase } from './users.database.js';
import { users, type StoredUser } from './users.schema.js';

/** The users table: the idempotent first-sight upsert and the batched `lastSeenAt` writes. */
@Injectable()
export class UsersRepository {
  constructor(private readonly database: UsersDatabase) {}

  /**
   * The user of `(issuer, subject)`, created when missing and its `lastSeenAt` set to now when it
   * existed; safe under concurrent first requests from any number of instances.
   */
  async findOrCreate(issuer: string, subject: string): Promise<StoredUser> {
    const [user] = await this.findOrCreateMany([{ issuer, subject }]);
    return user!;
  }

  /**
   * The users of several `(issuer, subject)` pairs, in their order, in one statement: `INSERT ...
   * ON CONFLICT DO UPDATE ... RETURNING` creates the missing ones and moves the others' `lastSeenAt`
   * to now, so that a known user whose cache entry was evicted costs one statement and is seen.
   * The rows are inserted in key order, so that two instances' batches lock them in the same order.
   */
  findOrCreateMany(pairs: readonly { issuer: string; subject: string }[]): Promise<StoredUser[]> {
    // ON CONFLICT DO UPDATE may not touch one row twice in a statement (SQLSTATE 21000).
    const distinct = [...new Map(pairs.map((p) => [pairKey(p.issuer, p.subject), p])).values()];
    const rows = JSON.stringify(distinct.map(({ issuer, subject }) => ({ issuer, subject })));
    return this.database.run(async (db) => {
      // Drizzle's insert-select names every column, so the row's defaults (users.schema.ts) are
      // spelt out. One JSON parameter instead of two per row: on PGlite a batch of 100 costs a
      // half the time or less it took as `VALUES` (docs/PERFORMANCE.md).
      const upserted = await db
        .insert(users)
        .select(
          sql`SELECT gen_random_uuid(), p.issuer, p.subject, now(), now()
            FROM json_to_recordset(${rows}::json) AS p(issuer text, subject text)
            ORDER BY p.issuer, p.subject`,
        )
        .onConflictDoUpdate({
          target: [users.issuer, users.subject],
          set: { lastSeenAt: sql`GREATEST(${users.lastSeenAt}, EXCLUDED.last_seen_at)` },
        })
        .returning();
      const byPair = new Map(upserted.map((u) => [pairKey(u.issuer, u.subject), u]));
      return pairs.map((p) => {
        const user = byPair.get(pairKey(p.issuer, p.subject));
        if (user === undefined) throw new Error('user row missing after INSERT ... ON CONFLICT');
        return user;
      });
    });
  }

  /** Writes several users' `lastSeenAt` in one statement; a time never moves backwards. */
  async touch(seen: readonly { id: string; lastSeenAt: Date }[]): Promise<void> {
    if (seen.length === 0) return;
    const rows = JSON.stringify(seen.map((s) => ({ id: s.id, seen: s.lastSeenAt.toISOString() })));
    await this.database.run((db) =>
      db.execute(sql`
        UPDATE ${users} SET last_seen_at = GREATEST(${users}.last_seen_at, s.seen)
        FROM json_to_recordset(${rows}::json) AS s(id uuid, seen timestamptz)
        WHERE ${users}.id = s.id`),
    );
  }
}

/** An unambiguous key of `(issuer, subject)`: the issuer's length first. */
function pairKey(issuer: string, subject: string): string {
  return `${issuer.length}:${issuer}${subject}`;
}
