export { authConfig } from './auth.config.js';
export { devIssuerConfig } from './dev-issuer.config.js';
export { usersConfig } from './users.config.js';
export {
  ConfigError,
  DEFAULT_DEV_AUDIENCE,
  devIssuerUrl,
  parseEnv,
  readEnv,
  validateEnv,
  type AppEnv,
} from './env.js';
export { LOG_LEVELS, type LogLevelName, type ObservabilityEnv } from './observability.js';
export { observabilityConfig } from './observability.config.js';
