export { listenUrl } from './listen-url.js';
export { StartupLogger } from './startup.logger.js';
