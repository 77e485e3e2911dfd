export { LoggingModule } from './logging.module.js';
/** nestjs-pino's `LoggerService`, for `app.useLogger(app.get(AppLogger))`. */
export { Logger as AppLogger } from 'nestjs-pino';
