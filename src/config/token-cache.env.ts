import { DEFAULT_TOKEN_CACHE_MAX_BYTES, MAX_TOKEN_CACHE_BYTES } from '../auth/index.js';
import { wholeNumber, type Env } from './env-values.js';

/** `AUTH_TOKEN_CACHE_MAX_BYTES`: the verified-token cache's byte budget (0 turns the cache off). */
export function tokenCacheMaxBytesFrom(problems: string[], env: Env): number {
  return wholeNumber(
    problems,
    env,
    'AUTH_TOKEN_CACHE_MAX_BYTES',
    DEFAULT_TOKEN_CACHE_MAX_BYTES,
    MAX_TOKEN_CACHE_BYTES,
  );
}
