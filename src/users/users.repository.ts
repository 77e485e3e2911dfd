import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
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
  findOrCreate(issuer: string, subject: string): Promise<StoredUser> {
    return this.database.run(async (db) => {
      const [created] = await db
        .insert(users)
        .values({ issuer, subject })
        .onConflictDoNothing({ target: [users.issuer, users.subject] })
        .returning();
      if (created !== undefined) return created;
      const [existing] = await db
        .select()
        .from(users)
        .where(and(eq(users.issuer, issuer), eq(users.subject, subject)));
      if (existing === undefined) throw new Error('user row missing after ON CONFLICT DO NOTHING');
      return existing;
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
