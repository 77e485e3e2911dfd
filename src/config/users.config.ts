import { registerAs } from '@nestjs/config';
import type { UsersOptions } from '../users/index.js';
import { readEnv } from './env.js';

/**
 * `UsersModule` options from the environment: `DATABASE_URL`, or the embedded database under
 * `DATA_DIR`; `USERS_CACHE_MAX_ENTRIES`.
 */
export const usersConfig = registerAs('users', (): UsersOptions => {
  const env = readEnv(process.env);
  return {
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    production: env.production,
    cacheMaxEntries: env.usersCacheMaxEntries,
  };
});
