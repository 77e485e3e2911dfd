// In-process apps (AppModule under jest) log through pino to stdout: quiet unless a run asks for
// logs with LOG_LEVEL. Apps started as processes get their environment from the test itself.
process.env.LOG_LEVEL ??= 'silent';
