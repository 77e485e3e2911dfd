import { pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per caller: the token's issuer and subject, nothing else from the token. OIDC makes `sub`
 * unique only within its issuer (OpenID Connect Core §2), hence the pair is the key.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique('users_issuer_subject_key').on(table.issuer, table.subject)],
);

/** The migrations applied to this database, by id. */
export const schemaMigrations = pgTable('schema_migrations', {
  id: text('id').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A stored user of the application (not the token principal: see `CurrentUser` for that). */
export type StoredUser = typeof users.$inferSelect;
