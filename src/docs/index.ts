export { buildDocument, DOCS_PATH, setupDocs } from './docs.setup.js';
