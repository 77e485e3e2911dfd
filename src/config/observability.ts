import { flag, set, type Env } from './env-values.js';

/** Logging and metrics settings, from `LOG_LEVEL`, `LOG_FORMAT`, `LOG_REQUESTS` and `METRICS_ENABLED`. */
export interface ObservabilityEnv {
  /** pino level; `silent` writes nothing. */
  logLevel: LogLevelName;
  /** `json`: one JSON object a line (production default); `pretty`: readable lines (development default). */
  logFormat: 'json' | 'pretty';
  /** One log line per request. */
  logRequests: boolean;
  /** `GET /metrics` and the request and auth counters behind it. */
  metricsEnabled: boolean;
}

/** The levels `LOG_LEVEL` accepts: pino's, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Parses the logging and metrics variables, pushing one line per mistake onto `problems`. */
export function parseObservability(
  env: Env,
  production: boolean,
  problems: string[],
): ObservabilityEnv {
  const defaultLevel: LogLevelName = production ? 'info' : 'debug';
  const level = set(env, 'LOG_LEVEL')?.toLowerCase() ?? defaultLevel;
  let logLevel: LogLevelName = defaultLevel;
  if ((LOG_LEVELS as readonly string[]).includes(level)) logLevel = level as LogLevelName;
  else {
    problems.push(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; unset it to use ${defaultLevel}`,
    );
  }
  const defaultFormat = production ? 'json' : 'pretty';
  const format = set(env, 'LOG_FORMAT') ?? defaultFormat;
  if (format !== 'json' && format !== 'pretty') {
    problems.push(`LOG_FORMAT must be json or pretty; unset it to use ${defaultFormat}`);
  }
  return {
    logLevel,
    logFormat: format === 'json' || format === 'pretty' ? format : defaultFormat,
    logRequests: flag(problems, env, 'LOG_REQUESTS', true),
    metricsEnabled: flag(problems, env, 'METRICS_ENABLED', true),
  };
}
