import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthOptions } from './core/options.js';

/** The `forRoot`/`forRootAsync` machinery of `AuthModule`, with an `isGlobal` extra. */
export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_OPTIONS,
  OPTIONS_TYPE: AUTH_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthOptions>({ moduleName: 'Auth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
