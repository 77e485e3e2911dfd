/** Injection token of the {@link ReadinessIndicator} list that `GET /health/ready` checks. */
export const READINESS_INDICATORS = Symbol('health:readiness-indicators');
