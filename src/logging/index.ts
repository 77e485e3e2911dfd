export { LoggingModule } from './logging.module.js';
export { AppLogger } from './app-logger.js';
export { logProcessWarnings } from './process-warnings.js';
