import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTH_SETTINGS } from './auth.constants.js';
import type { AuthSettings } from './core/options.js';
import { protectedResourceMetadata, protectedResourceMetadataPaths } from './core/resource.js';
import { scopeRequirementOf } from './scopes.decorator.js';
import type { RouteController, RouteHandler } from './route-requirement.js';

/** A static document: clients and caches may keep it for an hour. */
const CACHE_CONTROL = 'public, max-age=3600';

/**
 * The issuers whose tokens are accepted, as `authorization_servers` names them: one function, so
 * that the list follows the settings wherever they name issuers.
 */
export function trustedIssuersOf(settings: AuthSettings): string[] {
  return settings.issuers.map((issuer) => issuer.issuerUrl);
}

/**
 * Every scope some route's `@Scopes()` names (controllers, and providers such as resolvers and
 * gateways), read from the metadata {@link ScopesGuard} enforces, so it cannot drift from the checks.
 */
export function scopesInUse(discovery: DiscoveryService, reflector: Reflector): string[] {
  const scanner = new MetadataScanner();
  const scopes = new Set<string>();
  const classes = new Set<RouteController>();
  for (const wrapper of [...discovery.getControllers(), ...discovery.getProviders()]) {
    const metatype = wrapper.metatype as RouteController | null | undefined;
    if (typeof metatype === 'function' && metatype.prototype !== undefined) classes.add(metatype);
  }
  for (const controller of classes) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const key of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[key];
      if (typeof handler !== 'function') continue;
      const requirement = scopeRequirementOf(reflector, handler as RouteHandler, controller);
      for (const scope of requirement?.scopes ?? []) scopes.add(scope);
    }
  }
  return [...scopes].sort();
}

/**
 * Serves the RFC 9728 protected-resource metadata when a resource identifier is configured, at the
 * identifier's path-suffixed well-known location and at the root one (RFC 9728 §3.1). The routes
 * go straight on the HTTP adapter: well-known URIs sit at the host's root whatever the app's global
 * prefix, they are public by definition, and they are no API operation to document.
 */
@Injectable()
export class ProtectedResourceMetadataRoutes implements OnModuleInit {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const { resource } = this.settings;
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    // A standalone or microservice context has no HTTP server to publish on.
    if (resource === undefined || adapter === undefined) return;
    const document = protectedResourceMetadata({
      resource,
      authorizationServers: trustedIssuersOf(this.settings),
      scopes: scopesInUse(this.discovery, this.reflector),
      resourceName: this.settings.resourceName,
      resourceDocumentation: this.settings.resourceDocumentation,
    });
    for (const path of protectedResourceMetadataPaths(resource)) {
      adapter.get(path, (_request: unknown, response: unknown) => {
        adapter.setHeader(response, 'Cache-Control', CACHE_CONTROL);
        // Public metadata any web client may read (a simple GET needs no preflight).
        adapter.setHeader(response, 'Access-Control-Allow-Origin', '*');
        adapter.reply(response, document, 200);
      });
    }
  }
}
