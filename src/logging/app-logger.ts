import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Nest's own start-up chatter: one line per module, controller and route, and the
 * `ConditionalModule` debug line. None of it tells a newcomer or an operator anything that the
 * "Listening on" line and the banner do not; its warnings and errors still show.
 */
const FRAMEWORK_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'ConditionalModule',
]);

/** Nest passes a log line's context as its last argument. */
function isFrameworkChatter(optionalParams: unknown[]): boolean {
  const context = optionalParams.at(-1);
  return typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
}

/**
 * nestjs-pino's `LoggerService` (for `app.useLogger(app.get(AppLogger))`) without the framework's
 * start-up chatter at log, debug and verbose levels.
 */
@Injectable()
export class AppLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (!isFrameworkChatter(optionalParams)) super.log(message, ...optionalParams);
  }

  override debug(message: unknown, ...optionalParams: unknown[]): void {
    if (!isFrameworkChatter(optionalParams)) super.debug(message, ...optionalParams);
  }

  override verbose(message: unknown, ...optionalParams: unknown[]): void {
    if (!isFrameworkChatter(optionalParams)) super.verbose(message, ...optionalParams);
  }
}
