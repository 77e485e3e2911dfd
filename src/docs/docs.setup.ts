import type { INestApplication } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import {
  protectsAllRoutes,
  routeRequirementOf,
  type RouteController,
  type RouteHandler,
  type RouteRequirement,
} from '../auth/index.js';
import { AUTH_ERROR_SCHEMA, BEARER_SCHEME, documentRequirement } from './auth-responses.js';

/** The API's name, in its OpenAPI document and its RFC 9728 metadata (`resource_name`). */
export const API_TITLE = 'OAuth 2.0 protected API';

/** Where Swagger UI is served; the OpenAPI document is at `${DOCS_PATH}-json`. */
export const DOCS_PATH = '/docs';

/** Every controller method's auth requirement, by the operation id Swagger gives it (`Controller_method`). */
function requirementsByOperationId(app: INestApplication): Map<string, RouteRequirement> {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const protectAllRoutes = protectsAllRoutes(app);
  const requirements = new Map<string, RouteRequirement>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as RouteController | null;
      if (typeof controller !== 'function') continue;
      // Inherited handlers too, as Swagger's scanner and Nest's router see them.
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[key];
        if (typeof handler !== 'function') continue;
        requirements.set(
          `${controller.name}_${key}`,
          routeRequirementOf(reflector, handler as RouteHandler, controller, protectAllRoutes),
        );
      }
    }
  }
  return requirements;
}

/**
 * The OpenAPI document of `app`: every route, with each guarded route's security and scopes read
 * from the metadata the guards enforce (so the document cannot drift from the checks).
 */
export function buildDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(API_TITLE)
    .setDescription(
      'Routes protected by JWT access tokens. In development, get one with `npm run token -- --scope "read:messages"` and paste it under Authorize.',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from the configured issuer (RFC 6750, RFC 9068)',
      },
      BEARER_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, AuthError: AUTH_ERROR_SCHEMA },
  };
  const requirements = requirementsByOperationId(app);
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const operation = pathItem[method];
      const requirement = operation?.operationId && requirements.get(operation.operationId);
      if (operation && requirement) documentRequirement(operation, requirement);
    }
  }
  return document;
}

/**
 * Serves Swagger UI at `/docs` and the document at `/docs-json` when `docsEnabled` (development by
 * default; production only with `DOCS_ENABLED=true`). Call before `listen`.
 */
export function setupDocs(app: INestApplication, env: { docsEnabled: boolean }): void {
  if (!env.docsEnabled) return;
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => buildDocument(app), {
    customSiteTitle: 'API docs',
    swaggerOptions: {
      // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
      validatorUrl: null,
      tryItOutEnabled: true,
      displayRequestDuration: true,
    },
  });
}
