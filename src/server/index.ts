export { LimitedFastifyAdapter } from './limited-fastify.adapter.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-limits.js';
export { closeOnSignals } from './shutdown.js';
