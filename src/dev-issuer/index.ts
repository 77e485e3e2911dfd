export { DevIssuerModule } from './dev-issuer.module.js';
export { devIssuerBanner } from './dev-issuer.banner.js';
