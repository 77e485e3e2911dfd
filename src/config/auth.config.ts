import { registerAs } from '@nestjs/config';
import { EnvHttpProxyAgent } from 'undici';
import type { AuthOptions } from '../auth/index.js';
import { devIssuerUrl, readEnv } from './env.js';

/** `AuthModule` options from the environment (the development issuer's when no issuer is configured). */
export const authConfig = registerAs('auth', (): AuthOptions => {
  const env = readEnv(process.env);
  return {
    ...(env.issuers === undefined
      ? { issuerUrl: env.issuerUrl ?? devIssuerUrl(env), audience: env.audiences }
      : { issuers: env.issuers }),
    jwksUri: env.jwksUri,
    algorithms: env.algorithms,
    clockToleranceSec: env.clockToleranceSec,
    tokenCacheMaxEntries: env.tokenCacheMaxEntries,
    tokenCacheMaxBytes: env.tokenCacheMaxBytes,
    requireAccessTokenType: env.requireAccessTokenType,
    // The development issuer is this app, which is not listening yet when start-up warms the keys.
    jwksWarmUp: !env.devIssuer,
    fetchDispatcher: env.proxy && new EnvHttpProxyAgent(env.proxy),
  };
});
