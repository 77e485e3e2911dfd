import { flag, list, set, type Env } from './env-values.js';

/** What the web-facing variables configure: API docs and cross-origin access. */
export interface WebEnv {
  /** Serve Swagger UI at `/docs` and the OpenAPI document at `/docs-json`. */
  docsEnabled: boolean;
  /** Origins allowed to call the API from a browser (CORS); empty turns CORS off, `['*']` allows any. */
  corsOrigins: string[];
}

/** Parses `DOCS_ENABLED` (default: on outside production) and `CORS_ORIGINS` (default: off). */
export function webEnvFrom(problems: string[], env: Env, production: boolean): WebEnv {
  const docsEnabled = flag(
    problems,
    env,
    'DOCS_ENABLED',
    !production,
    `serve /docs ${production ? 'never' : 'in development only'}`,
  );
  const corsOrigins = list(set(env, 'CORS_ORIGINS'));
  const isOrigin = (value: string) => {
    // An origin is scheme://host[:port] with nothing after it: what a browser sends in Origin.
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value;
  };
  if (
    corsOrigins.some((origin) => origin !== '*' && !isOrigin(origin)) ||
    (corsOrigins.includes('*') && corsOrigins.length > 1)
  ) {
    problems.push(
      'CORS_ORIGINS must list origins like https://app.example.com (scheme, host, optional port, no path), comma-separated, or be * alone; unset it to turn CORS off',
    );
  }
  return { docsEnabled, corsOrigins };
}
