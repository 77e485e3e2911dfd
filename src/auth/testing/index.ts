export {
  TestIssuer,
  makeKey,
  type TestIssuerOptions,
  type TestKey,
  type TokenOptions,
} from './test-issuer.js';
export { signJws } from './jws.js';
