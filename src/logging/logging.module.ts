import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { observabilityConfig, type ObservabilityEnv } from '../config/index.js';
import { ROOT_LOGGER } from './logging.constants.js';
import { RequestLogHooks } from './request-log.hooks.js';
import { createRootLogger } from './root-logger.js';

/** The app's one pino logger, built once from `LOG_LEVEL` and `LOG_FORMAT`. */
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      useFactory: (env: ObservabilityEnv) => createRootLogger(env),
      inject: [observabilityConfig.KEY],
    },
  ],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Logs through pino: Nest's own logs (nestjs-pino's `Logger`, which `main.ts` installs with
 * `app.useLogger`) and one line per request unless `LOG_REQUESTS=false` ({@link RequestLogHooks}).
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      // pino-http wraps the root logger; its per-request middleware is not mounted: the request
      // line comes from RequestLogHooks, which sees the route pattern and the auth outcome.
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  providers: [RequestLogHooks],
})
export class LoggingModule {}
