export { releaseYoungGeneration } from './young-generation.js';
export { listenUrl } from './listen-url.js';
