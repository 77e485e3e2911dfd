import { SetMetadata } from '@nestjs/common';
import { PUBLIC_METADATA } from './auth.constants.js';

/**
 * Opens a route, or every route of a controller, that `AuthModule.forRoot({ protectAllRoutes: true })`
 * would otherwise close. It opens only what the global guard closed: a route that also names
 * `JwtAuthGuard` or `ScopesGuard` in `@UseGuards`, or carries `@Scopes()`, still needs a token.
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_METADATA, true);
