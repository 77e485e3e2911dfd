import { Injectable } from '@nestjs/common';
import { and, eq, or, sql } from 'drizzle-orm';
import { UsersDatabase } from './users.database.js';
import { users, type StoredUser } from './users.schema.js';

/** The users table: the idempotent first-sight insert and the batched `lastSeenAt` writes. */
@Injectable()
export class UsersRepository {
  constructor(private readonly database: UsersDatabase) {}

  /**
   * The user of `(issuer, subject)`, created when missing. `INSERT ... ON CONFLICT DO NOTHING`
   * then a read is safe under concurrent first requests from any number of instances: exactly one
   * insert wins, the others read its row.
   */
  async findOrCreate(issuer: string, subject: string): Promise<StoredUser> {
    const [user] = await this.findOrCreateMany([{ issuer, subject }]);
    return user!;
  }

  /**
   * The users of several distinct `(issuer, subject)` pairs, in their order, created when missing:
   * one multi-row insert and, for the pairs that existed, one read. On the embedded database a
   * statement's fixed cost is most of a single-user insert (about 2 ms of the event loop each).
   */
  findOrCreateMany(pairs: readonly { issuer: string; subject: string }[]): Promise<StoredUser[]> {
    return this.database.run(async (db) => {
      const created = await db
        .insert(users)
        .values(pairs.map(({ issuer, subject }) => ({ issuer, subject })))
        .onConflictDoNothing({ target: [users.issuer, users.subject] })
        .returning();
      const byPair = new Map(created.map((u) => [pairKey(u.issuer, u.subject), u]));
      const existed = pairs.filter((p) => !byPair.has(pairKey(p.issuer, p.subject)));
      if (existed.length > 0) {
        const rows = await db
          .select()
          .from(users)
          .where(
            or(
              ...existed.map((p) => and(eq(users.issuer, p.issuer), eq(users.subject, p.subject))),
            ),
          );
        for (const u of rows) byPair.set(pairKey(u.issuer, u.subject), u);
      }
      return pairs.map((p) => {
        const user = byPair.get(pairKey(p.issuer, p.subject));
        if (user === undefined) throw new Error('user row missing after ON CONFLICT DO NOTHING');
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
