import type { ExecutionContext } from '@nestjs/common';
import type { AuthRequest } from './bearer-token.request.js';
import { InvalidRequestError, UnsupportedContextError } from './core/errors.js';
import { graphqlCarrierOf } from './graphql-carrier.js';

/**
 * Where each transport carries the credentials and keeps the verified principal: the one place that
 * knows transports, used by every guard and by `@CurrentUser()`. The optional transports
 * (`@nestjs/websockets`, `@nestjs/microservices`, `@nestjs/graphql`) are read by duck typing from
 * the context's arguments, never imported, so that an HTTP-only service installs none of them.
 *
 * - `http`: the Express or Fastify request (checked first: the hot path, no allocation).
 * - `ws` (socket.io): the socket's handshake request, `client.request`; the token comes from its
 *   `Authorization` header and the principal is kept on it (`client.request.user`), as Passport
 *   does with socket.io. It is verified again on every message, so an expired token stops working.
 * - `rpc`: the message's metadata (`{ authorization: 'Bearer <token>' }`, TCP and Redis in Nest 12,
 *   set with `ClientProxy#setOnDispatchHook`), or else a `headers` field of the payload
 *   (`{ headers: { authorization: 'Bearer <token>' }, ... }`); the principal is kept beside the message.
 * - `graphql`: {@link graphqlCarrierOf} (the HTTP request of a query or mutation, or the
 *   subscription's connection).
 * - anything else (a custom context): refused with an
 *   {@link UnsupportedContextError}.
 */
export function authCarrierOf(context: ExecutionContext): AuthRequest {
  switch (context.getType<string>()) {
    case 'http':
      // getArgByIndex(0) is switchToHttp().getRequest() without the three closures it makes per call.
      return context.getArgByIndex<AuthRequest>(0);
    case 'ws':
      return socketCarrierOf(context.getArgByIndex<unknown>(0));
    case 'rpc':
      return messageCarrierOf(context.getArgByIndex<unknown>(0), context.getArgByIndex<unknown>(1));
    case 'graphql':
      return graphqlCarrierOf(context);
    default:
      throw new UnsupportedContextError('no credentials this server can read on this transport', {
        detail: `an auth guard ran in an execution context of type "${context.getType<string>()}", which it cannot read credentials from`,
      });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A socket.io socket's handshake request (an `IncomingMessage`: headers and raw header lines). */
function socketCarrierOf(client: unknown): AuthRequest {
  const request = isObject(client) ? client['request'] : undefined;
  if (isObject(request) && isObject(request['headers'])) return request as unknown as AuthRequest;
  // A `ws` client (@nestjs/platform-ws) keeps no handshake request for a guard to read.
  throw new UnsupportedContextError('no credentials this server can read on this transport', {
    detail:
      'an auth guard ran on a WebSocket client without a handshake request; use @nestjs/platform-socket.io',
  });
}

/** Carriers of RPC messages, keyed by the message's context object (or its payload), made once per message. */
const messageCarriers = new WeakMap<object, AuthRequest>();

/** The credentials of one microservice message: its metadata, else its payload's `headers`. */
function messageCarrierOf(data: unknown, rpcContext: unknown): AuthRequest {
  const key = isObject(rpcContext) ? rpcContext : isObject(data) ? data : undefined;
  if (key === undefined) return { headers: {} };
  let carrier = messageCarriers.get(key);
  if (carrier === undefined) {
    carrier = { headers: messageHeadersOf(data, rpcContext) };
    messageCarriers.set(key, carrier);
  }
  return carrier;
}

function messageHeadersOf(data: unknown, rpcContext: unknown): AuthRequest['headers'] {
  const getMetadata = isObject(rpcContext) ? rpcContext['getMetadata'] : undefined;
  const metadata: unknown =
    typeof getMetadata === 'function' ? (getMetadata as () => unknown).call(rpcContext) : undefined;
  const fromMetadata = isObject(metadata) ? metadata['authorization'] : undefined;
  const headers = isObject(data) ? data['headers'] : undefined;
  const fromPayload = isObject(headers) ? headers['authorization'] : undefined;
  if (fromMetadata !== undefined && fromPayload !== undefined) {
    // RFC 6750 §3.1: more than one way of sending the token is an invalid request.
    throw new InvalidRequestError(
      'send the token in the message metadata or its headers, not both',
    );
  }
  const authorization = fromMetadata ?? fromPayload;
  if (authorization === undefined) return {};
  if (typeof authorization !== 'string') {
    throw new InvalidRequestError(
      'malformed Authorization header: expected Bearer followed by exactly one token',
    );
  }
  return { authorization };
}
