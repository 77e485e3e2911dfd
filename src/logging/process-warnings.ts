import { Logger } from '@nestjs/common';

/**
 * Makes the app's logger the one writer of process warnings (`process.emitWarning`): Node's own
 * printer writes each as plain text over several lines into the JSON log (pg-connection-string's
 * sslmode warning is nine). Each becomes one line with the context `Process`. A process started
 * with `--no-warnings` (or `NODE_NO_WARNINGS=1`) has no printer, and stays quiet.
 */
export function logProcessWarnings(logger = new Logger('Process')): void {
  const printers = process.listeners('warning');
  if (printers.length === 0) return;
  for (const printer of printers) process.off('warning', printer);
  process.on('warning', (warning) => {
    if (warning.name === 'DeprecationWarning' && process.noDeprecation) return;
    const code = (warning as { code?: unknown }).code;
    const message = `${warning.name}${typeof code === 'string' ? ` ${code}` : ''}: ${warning.message}`;
    logger.warn(message.replace(/\s*\n\s*/g, ' '));
  });
}
