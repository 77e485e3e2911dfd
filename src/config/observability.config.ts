import { registerAs } from '@nestjs/config';
import { readEnv } from './env.js';
import type { ObservabilityEnv } from './observability.js';

/** Logging and metrics settings from the environment, for the logging, metrics and health features. */
export const observabilityConfig = registerAs(
  'observability',
  (): ObservabilityEnv => readEnv(process.env).observability,
);
