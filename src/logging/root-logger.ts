import pino, { type DestinationStream, type Logger } from 'pino';
import type { ObservabilityEnv } from '../config/index.js';
import { BatchedDestination } from './batched-destination.js';

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

/** The app's two pino loggers, writing to one stream. */
export interface AppLoggers {
  /** Nest's logs and everything else: redacts credentials and URL passwords. */
  app: Logger;
  /**
   * The request lines' level and their repeated-failure summaries, built from fixed fields only
   * (never headers), so without the redaction pass, which cost a tenth of a line (CPU profile in
   * docs/PERFORMANCE.md).
   */
  requests: Logger;
  /** Where both write: `RequestLogHooks` writes its lines, serialised as `requests` would, here. */
  destination: DestinationStream;
}

/**
 * The app's loggers: JSON lines on stdout in production, written asynchronously, the lines of one
 * turn of the event loop in one write ({@link BatchedDestination}); readable lines through
 * pino-pretty, in a worker thread, in development. `destination` replaces stdout (tests).
 */
export function createLoggers(env: ObservabilityEnv, destination?: DestinationStream): AppLoggers {
  const stream =
    destination ??
    (env.logFormat === 'pretty'
      ? pino.transport({
          target: 'pino-pretty',
          options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        })
      : new BatchedDestination(pino.destination({ dest: 1, sync: false })));
  const app = pino(
    {
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
    },
    stream,
  );
  // No pid and hostname on request lines: every collector adds its own, and they were a sixth of a line.
  return {
    app,
    requests: pino({ level: env.logLevel, base: undefined }, stream),
    destination: stream,
  };
}
