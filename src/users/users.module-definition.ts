import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { UsersOptions } from './users.options.js';

/** The `forRoot`/`forRootAsync` machinery of `UsersModule`, with an `isGlobal` extra (for a readiness check to inject `UsersDatabaseHealth`). */
export const {
  ConfigurableModuleClass: ConfigurableUsersModule,
  MODULE_OPTIONS_TOKEN: USERS_OPTIONS,
} = new ConfigurableModuleBuilder<UsersOptions>({ moduleName: 'Users' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createUsersOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
