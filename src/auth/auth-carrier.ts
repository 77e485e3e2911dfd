import type { ArgumentsHost } from '@nestjs/common';
import type { AuthRequest } from './bearer-token.request.js';
import { graphqlCarrierOf } from './graphql-carrier.js';

/**
 * The object a guard reads the bearer token from and puts the principal on, for any execution
 * context: the HTTP request, or for a GraphQL resolver {@link graphqlCarrierOf}. A context type it
 * does not know is refused (a `TypeError`), never let through.
 */
export function authCarrierOf(context: ArgumentsHost): AuthRequest {
  // `getType()` is a field read: HTTP pays one comparison for the other transports.
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest<AuthRequest>();
  if (type === 'graphql') return graphqlCarrierOf(context);
  throw new TypeError(`JwtAuthGuard: no bearer token can be read in a '${type}' context`);
}
