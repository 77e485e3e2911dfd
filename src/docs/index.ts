export { API_TITLE, buildDocument, DOCS_PATH, setupDocs } from './docs.setup.js';
