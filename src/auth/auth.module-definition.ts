import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PROTECT_ALL_ROUTES } from './auth.constants.js';
import type { AuthOptions } from './core/options.js';
import { GlobalAuthGuard } from './global-auth.guard.js';
import { RpcAuthBinding } from './rpc-auth.guard.js';

/** What `forRoot`/`forRootAsync` take besides {@link AuthOptions}: they shape the module itself. */
export interface AuthModuleExtras {
  /**
   * Make the guards usable in every module.
   * @default false
   */
  isGlobal: boolean;
  /**
   * Secure by default: every handler (HTTP, WebSocket, microservice) needs a valid token and its
   * `@Scopes()`, through a global guard (`APP_GUARD`), also bound to each message handler so that a
   * hybrid app's microservice is covered however it is connected; `@Public()` opens a route or a
   * controller.
   * @default false
   */
  protectAllRoutes: boolean;
}

/** The `forRoot`/`forRootAsync` machinery of `AuthModule`, with `isGlobal` and `protectAllRoutes` extras. */
export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_OPTIONS,
  OPTIONS_TYPE: AUTH_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthOptions>({ moduleName: 'Auth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras<AuthModuleExtras>(
    { isGlobal: false, protectAllRoutes: false },
    (definition, extras) => {
      const protectAllRoutes = extras.protectAllRoutes === true;
      const providers: Provider[] = [{ provide: PROTECT_ALL_ROUTES, useValue: protectAllRoutes }];
      // RpcAuthBinding: the global guard's reach over a hybrid app's microservice (see there).
      if (protectAllRoutes) {
        providers.push({ provide: APP_GUARD, useClass: GlobalAuthGuard }, RpcAuthBinding);
      }
      return {
        ...definition,
        global: extras.isGlobal,
        providers: [...(definition.providers ?? []), ...providers],
        exports: [...(definition.exports ?? []), PROTECT_ALL_ROUTES],
      };
    },
  )
  .build();
