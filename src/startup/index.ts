export { listenUrl } from './listen-url.js';
