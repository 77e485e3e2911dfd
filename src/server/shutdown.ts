import { Logger, type INestApplication } from '@nestjs/common';
import type { LimitedFastifyAdapter } from './limited-fastify.adapter.js';

/**
 * On SIGTERM or SIGINT: stop accepting, let in-flight requests finish up to the shutdown timeout, close
 * every connection left, run every module's shutdown hooks through `app.close()` (the key provider's
 * timers, anything that flushes), then exit 0. A second signal exits at once with status 1.
 *
 * Used instead of `app.enableShutdownHooks()`, which runs the hooks before the server stops, waits for
 * half-sent requests forever and ends the process by re-sending the signal (status 143).
 */
export function closeOnSignals(app: INestApplication, adapter: LimitedFastifyAdapter): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting now, without waiting for requests or shutdown hooks`);
      process.exit(1);
    }
    closing = true;
    shutDown(app, adapter, signal, logger).then(
      () => {
        process.exitCode = 0;
        // Normally nothing is left and the process ends here; a handle someone forgot must not keep it.
        setTimeout(() => process.exit(0), 1_000).unref();
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`, (error as Error).stack);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function shutDown(
  app: INestApplication,
  adapter: LimitedFastifyAdapter,
  signal: NodeJS.Signals,
  logger: Logger,
): Promise<void> {
  const timeoutMs = adapter.limits.shutdownTimeoutMs;
  logger.log(`${signal}: no longer accepting connections; in-flight requests have ${timeoutMs} ms`);
  const cut = await adapter.drain(timeoutMs);
  if (cut > 0) logger.warn(`closed ${cut} connection(s) still open after ${timeoutMs} ms`);
  // After the last response, so that hooks that flush (users' lastSeenAt, say) see every request.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    app.close(),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`shutdown hooks did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  logger.log('closed');
}
