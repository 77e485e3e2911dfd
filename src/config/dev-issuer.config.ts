import { join } from 'node:path';
import { registerAs } from '@nestjs/config';
import { readEnv } from './env.js';

/** The development issuer's settings: where its signing key is kept between runs. */
export const devIssuerConfig = registerAs('devIssuer', () => {
  const env = readEnv(process.env);
  return { keyFile: join(env.dataDir, 'dev-issuer-key.json'), production: env.production };
});
