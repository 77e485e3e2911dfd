import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { schemaMigrations } from './users.schema.js';

/** A versioned schema change; applied once per database, in order, never edited once released. */
export interface Migration {
  id: string;
  sql: string;
}

/** Every migration of the users schema, oldest first. Append; never rewrite one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_users',
    sql: `CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      issuer text NOT NULL,
      subject text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_issuer_subject_key UNIQUE (issuer, subject)
    )`,
  },
];

/** Advisory lock key of the migrations (any constant shared by every instance of this app). */
const MIGRATION_LOCK_KEY = 7_142_163_190_201;

/**
 * Applies the migrations not yet recorded, in one transaction that first takes a transaction-level
 * advisory lock: instances starting together wait for each other, and the later ones find nothing
 * to do. Returns the ids it applied.
 *
 * Drizzle's own migrator was not used: it reads drizzle-kit's folder layout from disk at run time
 * (outside `dist/`, and drizzle-kit brings esbuild) and takes no lock.
 */
export async function migrate(db: PgDatabase<PgQueryResultHKT>): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(
      sql`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set(
      (await tx.select({ id: schemaMigrations.id }).from(schemaMigrations)).map((row) => row.id),
    );
    const ran: string[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await tx.execute(sql.raw(migration.sql));
      await tx.insert(schemaMigrations).values({ id: migration.id });
      ran.push(migration.id);
    }
    return ran;
  });
}
