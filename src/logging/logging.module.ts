import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { observabilityConfig, type ObservabilityEnv } from '../config/index.js';
import { AppLogger } from './app-logger.js';
import { LOGGERS } from './logging.constants.js';
import { RequestLogHooks } from './request-log.hooks.js';
import { createLoggers, type AppLoggers } from './root-logger.js';

/** The app's pino loggers, built once from `LOG_LEVEL` and `LOG_FORMAT`. */
@Module({
  providers: [
    {
      provide: LOGGERS,
      useFactory: (env: ObservabilityEnv) => createLoggers(env),
      inject: [observabilityConfig.KEY],
    },
  ],
  exports: [LOGGERS],
})
class LoggersModule {}

/**
 * Logs through pino: Nest's own logs (nestjs-pino's `Logger`, which `main.ts` installs with
 * `app.useLogger`) and one line per request unless `LOG_REQUESTS=false` ({@link RequestLogHooks}).
 */
@Module({
  imports: [
    LoggersModule,
    LoggerModule.forRootAsync({
      imports: [LoggersModule],
      inject: [LOGGERS],
      // pino-http wraps the root logger; its per-request middleware is not mounted: the request
      // line comes from RequestLogHooks, which sees the route pattern and the auth outcome.
      useFactory: (loggers: AppLoggers) => ({ pinoHttp: { logger: loggers.app }, forRoutes: [] }),
    }),
  ],
  providers: [RequestLogHooks, AppLogger],
  exports: [AppLogger],
})
export class LoggingModule {}
