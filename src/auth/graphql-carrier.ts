import type { ArgumentsHost } from '@nestjs/common';
import { authorizationLines, type AuthRequest } from './bearer-token.request.js';
import { InvalidRequestError } from './core/errors.js';

// Nothing here imports graphql, @nestjs/graphql, mercurius, apollo or graphql-ws: they are optional
// peer dependencies of this package, needed only by services that serve GraphQL. The GraphQL
// context is read from the ExecutionContext (argument 2 of a resolver) by its shape.

type Bag = Record<string, unknown>;

function isObject(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null;
}

const AUTHORIZATION = 'authorization';

/**
 * The carriers made for subscription operations, by GraphQL context (one per operation): the token
 * guard puts the principal on the carrier, and `ScopesGuard` and `@CurrentUser()` must find it there.
 */
const subscriptionCarriers = new WeakMap<object, AuthRequest>();

/**
 * The object auth reads the bearer token from and puts the principal on, for a GraphQL resolver:
 * - a query or mutation over HTTP: the HTTP request (the context's `req`, which both Nest drivers
 *   set: Express's or Fastify's request; else Mercurius's `reply.request`), as on a REST route;
 * - a subscription over graphql-ws (Apollo driver: graphql-ws's context in `req`; Mercurius: its
 *   subscription context): the token of the `connection_init` payload's `authorization` field,
 *   or else of the WebSocket upgrade request's `Authorization` header (see {@link connectionCarrier}).
 * Throws a `TypeError` for a context that holds neither: the guard refuses rather than guesses.
 */
export function graphqlCarrierOf(context: ArgumentsHost): AuthRequest {
  const gqlContext: unknown = context.getArgByIndex(2);
  if (!isObject(gqlContext)) throw noRequest();
  const known = subscriptionCarriers.get(gqlContext);
  if (known !== undefined) return known;
  const connection = connectionOf(gqlContext);
  if (connection !== undefined) {
    const carrier = connectionCarrier(connection.initPayload, connection.upgradeRawHeaders);
    subscriptionCarriers.set(gqlContext, carrier);
    return carrier;
  }
  const req = gqlContext['req'];
  if (isObject(req) && isObject(req['headers'])) return req as unknown as AuthRequest;
  const reply = gqlContext['reply'];
  const request = isObject(reply) ? reply['request'] : undefined;
  if (isObject(request) && isObject(request['headers'])) return request as unknown as AuthRequest;
  throw noRequest();
}

function noRequest(): TypeError {
  return new TypeError(
    'JwtAuthGuard: the GraphQL context holds no request to read a token from; keep `req` in the context GraphQLModule builds',
  );
}

/** A graphql-ws connection as a subscription's context shows it. */
interface Connection {
  initPayload: unknown;
  upgradeRawHeaders: readonly string[] | undefined;
}

/** The connection of a subscription operation, or `undefined` for an operation over HTTP. */
function connectionOf(gqlContext: Bag): Connection | undefined {
  // Mercurius: a subscription's context holds the connection_init payload as `_connectionInit` and
  // Fastify's upgrade request as `request` (lib/subscription-connection.js). It also copies the
  // payload's fields into that request's `headers`, so only the raw header lines are the upgrade's.
  if ('_connectionInit' in gqlContext) {
    return {
      initPayload: gqlContext['_connectionInit'],
      upgradeRawHeaders: rawHeadersOf(gqlContext['request']),
    };
  }
  // Apollo driver: Nest's context function puts graphql-ws's context in `req`; it holds the
  // payload as `connectionParams` (absent when the payload was not an object) and the upgrade
  // request (Node's) as `extra.request`.
  const req = gqlContext['req'];
  if (
    isObject(req) &&
    typeof req['connectionInitReceived'] === 'boolean' &&
    isObject(req['extra'])
  ) {
    return {
      initPayload: req['connectionParams'],
      upgradeRawHeaders: rawHeadersOf(req['extra']['request']),
    };
  }
  return undefined;
}

function rawHeadersOf(request: unknown): readonly string[] | undefined {
  if (!isObject(request)) return undefined;
  const raw = isObject(request['raw']) ? request['raw']['rawHeaders'] : request['rawHeaders'];
  return Array.isArray(raw) ? (raw as string[]) : undefined;
}

/**
 * The carrier of a subscription: its `authorization` is the `connection_init` payload's
 * `authorization` field (any case, as HTTP header names: `{ "authorization": "Bearer <token>" }`),
 * or else the upgrade request's `Authorization` header (for clients that can set one; browsers
 * cannot). Both at once is refused, as RFC 6750 §2 forbids more than one method per request; two
 * `authorization` fields or header lines are several values, refused as on HTTP.
 */
export function connectionCarrier(
  initPayload: unknown,
  upgradeRawHeaders: readonly string[] | undefined,
): AuthRequest {
  const fromPayload = payloadAuthorization(initPayload);
  const fromUpgrade = upgradeAuthorization(upgradeRawHeaders);
  if (fromPayload !== undefined && fromUpgrade !== undefined) {
    throw new InvalidRequestError(
      'send the access token once: in the connection_init payload or in the upgrade request, not both',
    );
  }
  return { headers: { [AUTHORIZATION]: fromPayload ?? fromUpgrade } };
}

function payloadAuthorization(payload: unknown): string | string[] | undefined {
  if (!isObject(payload)) return undefined;
  let values: string[] | undefined;
  for (const key of Object.keys(payload)) {
    if (key.length !== AUTHORIZATION.length || key.toLowerCase() !== AUTHORIZATION) continue;
    const value = payload[key];
    if (typeof value !== 'string') {
      throw new InvalidRequestError(
        'the connection_init payload field authorization must be a string: Bearer followed by the token',
      );
    }
    (values ??= []).push(value);
  }
  return values === undefined || values.length > 1 ? values : values[0];
}

function upgradeAuthorization(raw: readonly string[] | undefined): string | string[] | undefined {
  if (raw === undefined) return undefined;
  const values = authorizationLines(raw);
  return values === undefined || values.length > 1 ? values : values[0];
}
