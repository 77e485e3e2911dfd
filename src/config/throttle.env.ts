import { isIP } from 'node:net';
import { list, set, wholeNumber, type Env } from './env-values.js';

/** Failed-authentication throttling and the shared store (`AUTH_FAILURE_*`, `REDIS_URL`, `TRUST_PROXY`). */
export interface ThrottleEnv {
  /** Invalid tokens per client per window before 429; 0 turns throttling off. */
  failureLimit: number;
  /** The window, in seconds. */
  failureWindowSec: number;
  /** `REDIS_URL`: shared state for several instances; `undefined` keeps it in memory. */
  redisUrl: string | undefined;
  /**
   * `TRUST_PROXY`: which proxies may say where a request came from (`X-Forwarded-For`), as
   * Fastify's `trustProxy`: a hop count or a list of addresses and CIDR ranges; `false` trusts none.
   */
  trustProxy: false | number | string[];
}

/** Failures a client may have in a window: 50 in 10 s stops a flood and never a person retrying. */
export const DEFAULT_FAILURE_LIMIT = 50;
export const DEFAULT_FAILURE_WINDOW_SEC = 10;

/** An address or CIDR range Fastify's `trustProxy` (proxy-addr) accepts. */
function isAddressOrRange(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

function trustProxyFrom(problems: string[], env: Env): ThrottleEnv['trustProxy'] {
  const raw = set(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 10) return Number(raw);
  const ranges = list(raw);
  if (ranges.length > 0 && ranges.every(isAddressOrRange)) return ranges;
  problems.push(
    'TRUST_PROXY must be the number of proxies in front of the app (1 to 10) or their addresses, like TRUST_PROXY=10.0.0.0/8,127.0.0.1 (never "true": any client could then choose its address); unset it to trust no proxy',
  );
  return false;
}

/** Parses the throttling variables, adding one line per mistake. */
export function throttleEnvFrom(problems: string[], env: Env): ThrottleEnv {
  const redisUrl = set(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    problems.push(
      'REDIS_URL must be a redis:// or rediss:// URL, like REDIS_URL=redis://127.0.0.1:6379; unset it to keep counts in memory',
    );
  }
  return {
    failureLimit: wholeNumber(
      problems,
      env,
      'AUTH_FAILURE_LIMIT',
      DEFAULT_FAILURE_LIMIT,
      1_000_000,
    ),
    failureWindowSec: wholeNumber(
      problems,
      env,
      'AUTH_FAILURE_WINDOW_SEC',
      DEFAULT_FAILURE_WINDOW_SEC,
      86_400,
      1,
    ),
    redisUrl,
    trustProxy: trustProxyFrom(problems, env),
  };
}
