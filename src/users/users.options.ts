/** Known users kept in memory by default. */
export const DEFAULT_USERS_CACHE_MAX_ENTRIES = 16_384;

/** Options of `UsersModule`; the app maps the environment to them (src/config/users.config.ts). */
export interface UsersOptions {
  /** A PostgreSQL server (`postgres://...`) that several instances share; unset for the embedded database. */
  databaseUrl?: string;
  /**
   * Directory of the embedded database (PGlite, in `<dataDir>/pglite`), created when missing;
   * unset keeps it in memory (tests). Ignored with `databaseUrl`.
   */
  dataDir?: string;
  /** Warn that the embedded database serves one instance (production without `databaseUrl`). @default false */
  production?: boolean;
  /**
   * Known users kept in memory, so that their requests make no database round trip; one whose
   * entry was evicted costs one statement, which also writes its `lastSeenAt`. @default 16384
   */
  cacheMaxEntries?: number;
  /** A user's `lastSeenAt` is written at most once in this many seconds. @default 60 */
  lastSeenWriteIntervalSec?: number;
  /** How often pending `lastSeenAt` values are written, in one batch. @default 5000 */
  flushIntervalMs?: number;
  /** Longest wait between reconnection attempts while the database is down (starts at 0.5 s, doubles). @default 10000 */
  retryMaxDelayMs?: number;
  /**
   * Longest the last `lastSeenAt` write on close may take, ms: what it cannot write by then is
   * dropped and counted in one warning, so that the process still closes within its deadline.
   * @default 7500
   */
  closeWriteTimeoutMs?: number;
}

/** {@link UsersOptions} with every default filled in. */
export type UsersSettings = Required<Omit<UsersOptions, 'databaseUrl' | 'dataDir'>> &
  Pick<UsersOptions, 'databaseUrl' | 'dataDir'>;

/** Fills in the defaults and checks the numbers, throwing a `TypeError` naming a bad option. */
export function usersSettings(options: UsersOptions): UsersSettings {
  const settings: UsersSettings = {
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    production: options.production ?? false,
    cacheMaxEntries: options.cacheMaxEntries ?? DEFAULT_USERS_CACHE_MAX_ENTRIES,
    lastSeenWriteIntervalSec: options.lastSeenWriteIntervalSec ?? 60,
    flushIntervalMs: options.flushIntervalMs ?? 5_000,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 10_000,
    closeWriteTimeoutMs: options.closeWriteTimeoutMs ?? 7_500,
  };
  for (const [name, min] of [
    ['cacheMaxEntries', 1],
    ['lastSeenWriteIntervalSec', 1],
    ['flushIntervalMs', 1],
    ['retryMaxDelayMs', 1],
    ['closeWriteTimeoutMs', 0],
  ] as const) {
    if (!Number.isSafeInteger(settings[name]) || settings[name] < min) {
      throw new TypeError(`UsersModule option ${name} must be a whole number of at least ${min}`);
    }
  }
  return settings;
}
