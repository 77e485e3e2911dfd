/** Injection token of the app's {@link AppLoggers}. */
export const LOGGERS = Symbol('logging:loggers');
