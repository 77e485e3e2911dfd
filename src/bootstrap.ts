import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { ConfigError, devIssuerUrl, readEnv, type AppEnv } from './config/index.js';
import { devIssuerBanner } from './dev-issuer/index.js';
import { setupDocs } from './docs/index.js';
import { setupHttpSecurity } from './http-security/index.js';
import { AppLogger, logProcessWarnings } from './logging/index.js';
import { closeOnSignals, LimitedFastifyAdapter } from './server/index.js';
import { listenUrl, releaseYoungGeneration } from './startup/index.js';
import { DatabaseStartupError } from './users/index.js';

/** Reads `.env` (when present, without overriding the environment) and checks it; exits on mistakes. */
function loadEnv(): AppEnv {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      process.stderr.write(
        `Configuration error: .env could not be read: ${(error as Error).message}\n`,
      );
      process.exit(1);
    }
  }
  try {
    return readEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
    process.exit(1);
  }
}

/** Reads the environment, starts the app and listens; exits with one line per mistake. */
export async function bootstrap(): Promise<void> {
  const env = loadEnv();
  const adapter = new LimitedFastifyAdapter(env.server, {
    logClientErrors: !env.observability.logRequests,
    trustProxy: env.throttle.trustProxy,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    bufferLogs: true,
  });
  // Nest's own logs, every Logger with a context, and process warnings go through pino from here
  // on (LOG_LEVEL).
  app.useLogger(app.get(AppLogger));
  logProcessWarnings();
  // Security headers before the docs, whose route gets the relaxed policy Swagger UI needs.
  setupHttpSecurity(app, env);
  setupDocs(app, env);
  try {
    await app.listen(env.port, env.host);
  } catch (error) {
    if (error instanceof DatabaseStartupError) {
      process.stderr.write(`Start-up error: ${error.message}\n`);
      await app.close();
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    process.stderr.write(
      `Configuration error: cannot listen on ${env.host}:${env.port} (${code}); set PORT (and HOST) to a free address, or stop what is using it\n`,
    );
    await app.close();
    process.exit(1);
  }
  closeOnSignals(app, adapter);
  releaseYoungGeneration();
  Logger.log(`Listening on ${listenUrl(app)}`, 'Bootstrap');
  if (env.devIssuer) {
    // The issuer's own URL, not localhost: discovery from the banner's URL then finds the issuer
    // that `iss` names, and it is the address the server listens on (localhost may resolve to ::1).
    const base = devIssuerUrl(env).replace(/\/$/, '');
    Logger.warn(`\n${devIssuerBanner(base, env)}\n`, 'DevIssuer');
  }
}
