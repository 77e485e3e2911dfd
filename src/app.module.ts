import { Module, type DynamicModule } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/index.js';
import {
  authConfig,
  observabilityConfig,
  parseEnv,
  usersConfig,
  validateEnv,
} from './config/index.js';
import { DevIssuerModule } from './dev-issuer/index.js';
import { DatabaseIndicator, HealthModule } from './health/index.js';
import { LoggingModule } from './logging/index.js';
import { MetricsModule } from './metrics/index.js';
import { MessagesModule } from './messages/messages.module.js';
import { UsersModule } from './users/index.js';

/** The API: configuration, then `AuthModule`, then the messages and users features (and the development issuer when no issuer is set). */
@Module({})
export class AppModule {
  /** Builds the app from `process.env` (`main.ts` loads `.env` into it first). */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validate: validateEnv,
          load: [authConfig, usersConfig, observabilityConfig],
        }),
        LoggingModule,
        ConditionalModule.registerWhen(
          MetricsModule,
          (env) => parseEnv(env).value.observability.metricsEnabled,
        ),
        ConditionalModule.registerWhen(DevIssuerModule, (env) => parseEnv(env).value.devIssuer),
        // Secure by default: a route needs a token unless it says @Public().
        AuthModule.forRootAsync({
          isGlobal: true,
          protectAllRoutes: true,
          ...authConfig.asProvider(),
        }),
        MessagesModule,
        UsersModule.forRootAsync({ isGlobal: true, ...usersConfig.asProvider() }),
        HealthModule.forRoot({ readiness: [DatabaseIndicator] }),
      ],
    };
  }
}
