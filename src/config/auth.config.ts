import { registerAs } from '@nestjs/config';
import type { AuthOptions } from '../auth/index.js';
import { devIssuerUrl, readEnv } from './env.js';

/** `AuthModule` options from the environment (the development issuer's when no issuer is configured). */
export const authConfig = registerAs('auth', (): AuthOptions => {
  const env = readEnv(process.env);
  return {
    issuerUrl: env.issuerUrl ?? devIssuerUrl(env),
    audience: env.audiences,
    jwksUri: env.jwksUri,
    algorithms: env.algorithms,
    clockToleranceSec: env.clockToleranceSec,
  };
});
