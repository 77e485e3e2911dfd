import { registerAs } from '@nestjs/config';
import type { UsersOptions } from '../users/index.js';
import { readEnv } from './env.js';

/**
 * `UsersModule` options from the environment: `DATABASE_URL`, or the embedded database under
 * `DATA_DIR`; `USERS_CACHE_MAX_ENTRIES`. The last `lastSeenAt` write gets three quarters of
 * `SHUTDOWN_TIMEOUT_MS` (the shutdown hooks' deadline, src/server/shutdown.ts): the rest is left
 * for closing the database and the other hooks.
 */
export const usersConfig = registerAs('users', (): UsersOptions => {
  const env = readEnv(process.env);
  return {
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    production: env.production,
    cacheMaxEntries: env.usersCacheMaxEntries,
    closeWriteTimeoutMs: Math.floor((env.server.shutdownTimeoutMs * 3) / 4),
  };
});
