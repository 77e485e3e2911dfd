export { DatabaseIndicator } from './database.indicator.js';
export { HealthModule, type HealthModuleOptions } from './health.module.js';
export type { ReadinessIndicator } from './readiness-indicator.js';
