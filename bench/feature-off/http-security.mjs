// Stands in for dist/http-security/http-security.setup.js with BENCH_FEATURE_OFF=security-headers:
// the same exports, and a setupHttpSecurity that sets no header.
export {
  API_CSP,
  CORS_EXPOSED_HEADERS,
  DOCS_CSP,
  helmetHeaders,
} from '../../dist/http-security/http-security.setup.js?bench-original';

/** Adds nothing; refuses CORS_ORIGINS, which the real one would have set up too. */
export function setupHttpSecurity(_app, env) {
  if (env.corsOrigins.length > 0) {
    throw new Error('BENCH_FEATURE_OFF=security-headers sets up no CORS: unset CORS_ORIGINS');
  }
}
