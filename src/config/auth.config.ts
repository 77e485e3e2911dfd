import { registerAs } from '@nestjs/config';
import { EnvHttpProxyAgent } from 'undici';
import type { AuthOptions } from '../auth/index.js';
import { API_TITLE, DOCS_PATH } from '../docs/index.js';
import { devIssuerUrl, readEnv } from './env.js';
import { devResourceUrl } from './resource.env.js';

/** `AuthModule` options from the environment (the development issuer's when no issuer is configured). */
export const authConfig = registerAs('auth', (): AuthOptions => {
  const env = readEnv(process.env);
  const issuerUrl = env.issuerUrl ?? devIssuerUrl(env);
  // The development issuer serves a resource identifier by default, so its challenges name their metadata.
  const resource = env.resourceUrl ?? (env.devIssuer ? devResourceUrl(issuerUrl) : undefined);
  return {
    ...(env.issuers === undefined
      ? { issuerUrl, audience: env.audiences }
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
    resource,
    resourceName: resource && API_TITLE,
    resourceDocumentation:
      resource && env.docsEnabled ? new URL(DOCS_PATH, resource).href : undefined,
    failureThrottle: {
      limit: env.throttle.failureLimit,
      windowSec: env.throttle.failureWindowSec,
      redisUrl: env.throttle.redisUrl,
    },
  };
});
