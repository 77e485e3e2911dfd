import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { KEYS_UNAVAILABLE, type RouteRequirement } from '../auth/index.js';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

/** The name of the bearer security scheme in the document. */
export const BEARER_SCHEME = 'bearer';

/** The JSON body of every auth failure (`AuthErrorBody`), as an OpenAPI schema. */
export const AUTH_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'error_description'],
  properties: {
    statusCode: { type: 'integer', enum: [401, 403, 503] },
    error: {
      type: 'string',
      enum: [
        'unauthorized',
        'invalid_request',
        'invalid_token',
        'insufficient_scope',
        'temporarily_unavailable',
      ],
    },
    error_description: { type: 'string', description: 'the failed check, in general words' },
  },
};

/** The auth error body, with an example of this status's answer. */
const errorContent = (statusCode: number, error: string, description: string) => ({
  'application/json': {
    schema: { $ref: '#/components/schemas/AuthError' },
    example: { statusCode, error, error_description: description },
  },
});
const challenge = {
  'WWW-Authenticate': {
    description:
      'RFC 6750 §3 challenge: `Bearer realm="...", error="...", error_description="..."`',
    schema: { type: 'string' },
  },
};

/**
 * Documents what a route asks of a caller: the bearer scheme (with the required scopes; one
 * security requirement per scope for `@Scopes.any`, which OpenAPI reads as alternatives) and the
 * 401, 403 and 503 answers of the auth layer.
 */
export function documentRequirement(operation: Operation, requirement: RouteRequirement): void {
  if (!requirement.token) return;
  const { scopes } = requirement;
  if (scopes === null) {
    operation.security = [{ [BEARER_SCHEME]: [] }];
  } else if (scopes.match === 'all') {
    operation.security = [{ [BEARER_SCHEME]: [...scopes.scopes] }];
  } else {
    operation.security = scopes.scopes.map((scope) => ({ [BEARER_SCHEME]: [scope] }));
  }
  const needs =
    scopes === null
      ? 'Needs a valid access token.'
      : `Needs an access token granting ${scopes.match === 'all' ? 'every one' : 'at least one'} of: ${scopes.scopes.map((s) => `\`${s}\``).join(', ')}.`;
  operation.description = [operation.description, needs].filter(Boolean).join('\n\n');
  operation.responses = {
    ...operation.responses,
    401: {
      description:
        'No token (`unauthorized`), a malformed Authorization header (`invalid_request`), or a token that fails a check (`invalid_token`)',
      headers: challenge,
      content: errorContent(401, 'invalid_token', 'token expired'),
    },
    ...(scopes === null
      ? {}
      : {
          403: {
            description: 'A valid token without the required scope (`insufficient_scope`)',
            headers: challenge,
            content: errorContent(
              403,
              'insufficient_scope',
              `token lacks the required scope: ${scopes.scopes.join(' ')}`,
            ),
          },
        }),
    503: {
      description:
        "The issuer's signing keys cannot be fetched (`temporarily_unavailable`); retry after `Retry-After` seconds",
      headers: { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } },
      content: errorContent(503, 'temporarily_unavailable', KEYS_UNAVAILABLE),
    },
  };
}
