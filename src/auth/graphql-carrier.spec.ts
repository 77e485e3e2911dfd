import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { authCarrierOf } from './auth-carrier.js';
import { takeBearerToken } from './bearer-token.request.js';
import { InvalidRequestError, UnsupportedContextError } from './core/errors.js';
import { connectionCarrier, graphqlCarrierOf } from './graphql-carrier.js';

/** A resolver's execution context: (root, args, GraphQL context, info), of type 'graphql'. */
function resolverContext(gqlContext: unknown): ExecutionContextHost {
  const host = new ExecutionContextHost([{}, {}, gqlContext, {}]);
  host.setType('graphql');
  return host;
}

describe('graphqlCarrierOf', () => {
  it('is the HTTP request in `req` (Apollo, and Nest’s Mercurius driver)', () => {
    const req = { headers: { authorization: 'Bearer abc' } };
    expect(graphqlCarrierOf(resolverContext({ req }))).toBe(req);
  });

  it('is Mercurius’s `reply.request` when the context has no `req`', () => {
    const request = { headers: {} };
    expect(graphqlCarrierOf(resolverContext({ reply: { request } }))).toBe(request);
  });

  it('reads a graphql-ws connection (Apollo driver) from its connection_init payload', () => {
    const wsContext = {
      connectionInitReceived: true,
      connectionParams: { authorization: 'Bearer from-payload' },
      extra: { request: { rawHeaders: ['Host', 'x'] } },
    };
    const carrier = graphqlCarrierOf(resolverContext({ req: wsContext }));
    expect(takeBearerToken(carrier)).toBe('from-payload');
  });

  it('reads a Mercurius subscription from its payload, not from the headers Mercurius copied it into', () => {
    const gqlContext = {
      _connectionInit: { authorization: 'Bearer from-payload' },
      // Mercurius copies payload fields into headers; the raw lines are the upgrade request's own.
      request: {
        headers: { authorization: 'Bearer from-payload' },
        raw: { rawHeaders: ['Host', 'x'] },
      },
      reply: { request: {} },
    };
    const carrier = graphqlCarrierOf(resolverContext(gqlContext));
    expect(takeBearerToken(carrier)).toBe('from-payload');
  });

  it('gives every guard of one subscription operation the same carrier, so the principal set by one is seen by the next', () => {
    const gqlContext = { _connectionInit: {}, request: { raw: { rawHeaders: [] } } };
    const first = graphqlCarrierOf(resolverContext(gqlContext));
    first.user = { sub: 'x' };
    expect(graphqlCarrierOf(resolverContext(gqlContext)).user).toEqual({ sub: 'x' });
    expect(graphqlCarrierOf(resolverContext({ ...gqlContext }))).not.toBe(first);
  });

  it('refuses a context with no request, rather than guess', () => {
    expect(() => graphqlCarrierOf(resolverContext({ user: 'x' }))).toThrow(TypeError);
    expect(() => graphqlCarrierOf(resolverContext(undefined))).toThrow(TypeError);
  });
});

describe('connectionCarrier', () => {
  const token = (payload: unknown, raw?: string[]) =>
    takeBearerToken(connectionCarrier(payload, raw));

  it('takes the payload’s authorization field in any case', () => {
    expect(token({ Authorization: 'Bearer a' })).toBe('a');
    expect(token({ AUTHORIZATION: 'Bearer b' })).toBe('b');
  });

  it('takes the upgrade request’s Authorization header when the payload has none', () => {
    expect(token(undefined, ['authorization', 'Bearer c'])).toBe('c');
    expect(token({ other: 1 }, ['Authorization', 'Bearer d'])).toBe('d');
  });

  it('answers no token as on HTTP when neither carries one', () => {
    expect(() => token({}, [])).toThrow(/no access token/);
  });

  it('refuses a token in both places (RFC 6750 §2: one method per request)', () => {
    expect(() => token({ authorization: 'Bearer a' }, ['Authorization', 'Bearer a'])).toThrow(
      InvalidRequestError,
    );
  });

  it('refuses two authorization fields, or two header lines, as several values', () => {
    expect(() => token({ authorization: 'Bearer a', Authorization: 'Bearer b' })).toThrow(
      'send exactly one Authorization header',
    );
    expect(() =>
      token(undefined, ['Authorization', 'Bearer a', 'authorization', 'Bearer b']),
    ).toThrow('send exactly one Authorization header');
  });

  it('refuses a payload authorization that is not a string', () => {
    expect(() => token({ authorization: ['Bearer a'] })).toThrow(/must be a string/);
  });
});

describe('authCarrierOf', () => {
  it('is the request in an HTTP context', () => {
    const request = { headers: {} };
    const host = new ExecutionContextHost([request, {}, () => undefined]);
    expect(authCarrierOf(host)).toBe(request);
  });

  it('refuses a context type it does not know', () => {
    const host = new ExecutionContextHost([{ headers: { authorization: 'Bearer a' } }, {}]);
    host.setType('carrier-pigeon' as 'rpc');
    expect(() => authCarrierOf(host)).toThrow(UnsupportedContextError);
  });
});
