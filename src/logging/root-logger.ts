import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { ObservabilityEnv } from '../config/index.js';

/** Credentials in a URL (`postgres://user:password@host`): the password is replaced before a line is written. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

/** A string with the password of every URL in it replaced by `***`. */
export function withoutUrlPasswords(text: string): string {
  return text.includes('@') ? text.replace(URL_PASSWORD, '$1***@') : text;
}

/**
 * Paths never written even if some code logs them: credentials in headers and in configuration
 * (the request line itself carries no headers).
 */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  '*.password',
  'databaseUrl',
  '*.databaseUrl',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

/**
 * The app's one pino logger: JSON lines on stdout in production, written asynchronously (a
 * SonicBoom buffer, flushed off the request path); readable lines through pino-pretty, in a worker
 * thread, in development. `destination` replaces stdout (tests).
 */
export function createRootLogger(env: ObservabilityEnv, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: env.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: {
      // Strings passed to the logger (Nest's log messages, error messages) lose URL passwords.
      logMethod(args, method) {
        for (let i = 0; i < args.length; i += 1) {
          const arg: unknown = args[i];
          if (typeof arg === 'string') (args as unknown[])[i] = withoutUrlPasswords(arg);
        }
        method.apply(this, args);
      },
    },
  };
  if (destination !== undefined) return pino(options, destination);
  if (env.logFormat === 'pretty') {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: {
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        },
      },
    });
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
