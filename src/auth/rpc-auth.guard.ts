import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  METHOD_METADATA,
} from '@nestjs/common/constants.js';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { RpcAuthExceptionFilter } from './auth-exception.filter.js';
import { GlobalAuthGuard } from './global-auth.guard.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { protectsAllRoutes } from './route-requirement.js';
import { RoutePolicies } from './route-policy.js';

/**
 * `PATTERN_METADATA` of `@nestjs/microservices/constants`, which `@MessagePattern`, `@EventPattern`
 * and `@GrpcMethod` set on a handler; read by value so that the package stays an optional peer
 * (`rpc-auth.guard.spec.ts` checks that the two agree).
 */
export const MICROSERVICE_PATTERN_METADATA = 'microservices:pattern';

/** The one filter instance bound to every message handler: it holds no state of any app. */
const RPC_AUTH_EXCEPTION_FILTER = new RpcAuthExceptionFilter();

/**
 * What the global guard does, bound by {@link RpcAuthBinding} to each message handler itself, for
 * a hybrid app's microservice connected without `inheritAppConfig` (it gets none of the app's global
 * guards). Where the global guard runs as well, this one is a no-op: a token guard that runs twice
 * in one call verifies once ({@link JwtAuthGuard}).
 *
 * Handler metadata belongs to the controller class, which every app of the process shares, so the
 * metadata names this class, and Nest finds the instance of each app in the controller's module:
 * the app's own `AuthModule` guards the app's own messages.
 */
@Injectable()
export class RpcAuthGuard implements CanActivate {
  private delegate: CanActivate | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * What Nest calls instead when it finds no instance of this guard in the handler's module (a
   * class guard without one, and without this static, it skips): refuse, never let a message through.
   */
  static canActivate(): never {
    throw new Error("RpcAuthGuard has no instance in the controller's module: message refused");
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    this.delegate ??= this.resolve();
    return this.delegate.canActivate(context) as boolean | Promise<boolean>;
  }

  private resolve(): CanActivate {
    // Another app of the process bound this guard to a shared controller; this one did not ask for it.
    if (!protectsAllRoutes(this.moduleRef)) return { canActivate: () => true };
    return new GlobalAuthGuard(
      this.moduleRef.get(JwtAuthGuard, { strict: false }),
      this.moduleRef.get(RoutePolicies, { strict: false }),
    );
  }
}

/** Puts `enhancer` first in the `key` metadata of `handler` (the list `@UseGuards`/`@UseFilters` write), once. */
function prependMetadata(key: string, handler: object, enhancer: unknown): void {
  const current = (Reflect.getMetadata(key, handler) as unknown[] | undefined) ?? [];
  if (!current.includes(enhancer)) Reflect.defineMetadata(key, [enhancer, ...current], handler);
}

/**
 * Under `protectAllRoutes`, binds {@link RpcAuthGuard} and the RPC auth filter to every controller
 * method that carries a microservice pattern, as `@UseGuards`/`@UseFilters` would: handler-level
 * enhancers apply however the microservice was connected. It runs when Nest builds the app's
 * providers (`NestFactory.create`), not in an init hook: `app.connectMicroservice()` binds the
 * listeners at once, before `app.init()`, and `startAllMicroservices()` may serve before it.
 */
@Injectable()
export class RpcAuthBinding {
  constructor(discovery: DiscoveryService, moduleRef: ModuleRef) {
    const scanner = new MetadataScanner();
    for (const { metatype, host } of discovery.getControllers()) {
      if (typeof metatype !== 'function' || host === undefined) continue;
      const prototype = metatype.prototype as Record<string, unknown>;
      let bound = false;
      for (const key of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[key];
        if (typeof handler !== 'function') continue;
        if (Reflect.getMetadata(MICROSERVICE_PATTERN_METADATA, handler) === undefined) continue;
        prependMetadata(GUARDS_METADATA, handler, RpcAuthGuard);
        // A method that is an HTTP route as well keeps the app's filter: this one writes RPC only.
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) {
          prependMetadata(EXCEPTION_FILTERS_METADATA, handler, RPC_AUTH_EXCEPTION_FILTER);
        }
        bound = true;
      }
      // Nest looks a guard class up among the injectables of the controller's module. Nest's scan
      // registered it there when an earlier app of the process had already bound it; otherwise this
      // app's instance goes there now (with no instance, Nest would silently skip the guard).
      if (bound && !host.injectables.has(RpcAuthGuard)) {
        const enhancer = host.addInjectable(RpcAuthGuard, 'guard', metatype);
        if (typeof enhancer === 'object') enhancer.instance = new RpcAuthGuard(moduleRef);
      }
    }
  }
}
