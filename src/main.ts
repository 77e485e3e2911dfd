import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { ConfigError, readEnv, type AppEnv } from './config/index.js';
import { devIssuerBanner } from './dev-issuer/index.js';
import { AppLogger } from './logging/index.js';

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

async function bootstrap(): Promise<void> {
  const env = loadEnv();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(),
    new FastifyAdapter(),
    { bufferLogs: true },
  );
  // Nest's own logs, and every Logger with a context, go through pino from here on (LOG_LEVEL).
  app.useLogger(app.get(AppLogger));
  app.enableShutdownHooks();
  try {
    await app.listen(env.port, env.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    process.stderr.write(
      `Configuration error: cannot listen on ${env.host}:${env.port} (${code}); set PORT (and HOST) to a free address, or stop what is using it\n`,
    );
    await app.close();
    process.exit(1);
  }
  const url = await app.getUrl();
  Logger.log(`Listening on ${url}`, 'Bootstrap');
  if (env.devIssuer) {
    Logger.warn(`\n${devIssuerBanner(`http://localhost:${env.port}`)}\n`, 'DevIssuer');
  }
}

await bootstrap();
