export {
  API_CSP,
  CORS_EXPOSED_HEADERS,
  DOCS_CSP,
  setupHttpSecurity,
} from './http-security.setup.js';
