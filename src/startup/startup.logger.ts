import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/**
 * Nest's own start-up chatter: one line per module, controller and route, and the
 * `ConditionalModule` debug line. None of it tells a newcomer or an operator anything that the
 * "Listening on" line and the banner do not; its warnings and errors still show.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'ConditionalModule',
]);

/** Nest's console logger without the framework's start-up chatter. */
export class StartupLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ logLevels });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    if (!this.isFrameworkChatter(rest)) super.log(message, ...rest);
  }

  override debug(message: unknown, ...rest: unknown[]): void {
    if (!this.isFrameworkChatter(rest)) super.debug(message, ...rest);
  }

  override verbose(message: unknown, ...rest: unknown[]): void {
    if (!this.isFrameworkChatter(rest)) super.verbose(message, ...rest);
  }

  private isFrameworkChatter(rest: unknown[]): boolean {
    const context = rest.at(-1) ?? this.context;
    return typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
  }
}
