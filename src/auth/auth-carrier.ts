import type { ArgumentsHost } from '@nestjs/common';
import type { AuthRequest } from './bearer-token.request.js';
import { graphqlCarrierOf } from './graphql-carrier.js';

/**
 * The object a guard reads the bearer token from and puts the principal on, for any execution
 * context: the HTTP request, or for a GraphQL resolver {@link graphqlCarrierOf}. A context type it
 * does not know is refused (a `TypeError`), never let through.
 */
export function authCarrierOf(context: ArgumentsHost): AuthRequest {
  const type = context.getType<string>();
  // The request is argument 0 (what `switchToHttp().getRequest()` answers, without the three
  // closures `switchToHttp()` makes on every call): HTTP pays one comparison for other transports.
  if (type === 'http') return context.getArgByIndex<AuthRequest>(0);
  if (type === 'graphql') return graphqlCarrierOf(context);
  throw new TypeError(`JwtAuthGuard: no bearer token can be read in a '${type}' context`);
}
