import { Module, UseGuards, type DynamicModule, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  Args,
  Field,
  GraphQLModule,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
// The host app sees only the public API, as another Nest service would.
import {
  authFailureOf,
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthErrorExtensions,
  type Principal,
} from '../src/auth/index.js';
import { startApp, type AdapterName, type RunningApp } from './support/app.js';
import { TestIssuer } from './support/test-issuer.js';

@ObjectType()
class Caller {
  @Field(() => String)
  sub!: string;

  @Field(() => [String])
  scopes!: string[];
}

@Resolver()
@UseGuards(JwtAuthGuard, ScopesGuard)
class MessagesResolver {
  @Query(() => String)
  privateMessage(): string {
    return 'private';
  }

  @Query(() => String)
  @Scopes('read:messages')
  scopedMessage(): string {
    return 'scoped';
  }

  @Query(() => Caller)
  me(@CurrentUser() user: Principal): Caller {
    return { sub: user.sub, scopes: [...user.scopes].sort() };
  }

  @Mutation(() => String)
  @Scopes('write:messages')
  postMessage(@Args('text', { type: () => String }) text: string): string {
    return `posted ${text}`;
  }

  @Subscription(() => String)
  @Scopes('read:messages')
  messageAdded(@CurrentUser() user: Principal): AsyncGenerator<{ messageAdded: string }> {
    return (async function* () {
      yield { messageAdded: `hello ${user.sub}` };
    })();
  }
}

/** The drivers under test: Mercurius needs Fastify, Apollo runs here on Express. */
const DRIVERS: [string, AdapterName, DynamicModule][] = [
  [
    'Mercurius on Fastify',
    'fastify',
    GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      autoSchemaFile: true,
      subscription: true,
      graphiql: false,
    }),
  ],
  [
    'Apollo on Express',
    'express',
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      subscriptions: { 'graphql-ws': true },
      graphiql: false,
      // Apollo's development default: every error's stack goes to the client. An auth failure's
      // must still show no frame.
      includeStacktraceInErrorResponses: true,
    }),
  ],
];

/** One GraphQL error as the client receives it. */
interface ErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

/** What one operation answered: the data, the errors, and the raw text that carried them. */
interface Answer {
  data: unknown;
  errors: ErrorJson[];
  text: string;
}

const SUBSCRIPTION_DEADLINE_MS = 10_000;

interface Refusal {
  status: 401 | 403;
  code: AuthErrorExtensions['code'];
  description: RegExp;
}

const SCOPES = 'read:messages write:messages';
const now = () => Math.floor(Date.now() / 1000);

/** The quickstart matrix: each case, the Authorization value it sends, and what it must answer. */
const MATRIX: [string, (issuer: TestIssuer) => string | undefined, Refusal | 'ok'][] = [
  [
    'no token: 401 unauthorized',
    () => undefined,
    { status: 401, code: 'unauthorized', description: /no access token/ },
  ],
  [
    'a bad token: 401 invalid_token',
    () => 'Bearer invalidToken',
    { status: 401, code: 'invalid_token', description: /malformed token/ },
  ],
  [
    'a malformed value: 401 invalid_request',
    () => 'Bearer invalidToken abc',
    { status: 401, code: 'invalid_request', description: /exactly one token/ },
  ],
  [
    'an expired token: 401 invalid_token',
    (issuer) => `Bearer ${issuer.token({ claims: { scope: SCOPES, exp: now() - 3600 } })}`,
    { status: 401, code: 'invalid_token', description: /token expired/ },
  ],
  [
    'a token for another audience: 401 invalid_token',
    (issuer) =>
      `Bearer ${issuer.token({ claims: { scope: SCOPES, aud: 'https://other.example/api' } })}`,
    { status: 401, code: 'invalid_token', description: /audience not accepted/ },
  ],
  [
    'a valid token without the scope: 403 insufficient_scope',
    (issuer) => `Bearer ${issuer.token({ claims: { scope: 'profile' } })}`,
    { status: 403, code: 'insufficient_scope', description: /lacks the required scope/ },
  ],
  [
    'a valid token with the scope: data',
    (issuer) => `Bearer ${issuer.token({ claims: { scope: SCOPES } })}`,
    'ok',
  ],
];

describe.each(DRIVERS)('GraphQL resolvers guarded by AuthModule: %s', (_name, adapter, graphql) => {
  const issuer = new TestIssuer('https://graphql.example/api');
  const realm = 'Bearer realm="https://graphql.example/api"';
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    @Module({
      imports: [AuthModule.forRoot({ issuerUrl: issuer.url, audience: issuer.audience }), graphql],
      providers: [MessagesResolver],
    })
    class GraphqlHostModule {}
    running = await startApp(GraphqlHostModule, adapter, 0, noteFailures);
  });

  /** The auth failure noted on each finished HTTP request, as the app's request log reads it. */
  const failures: (string | undefined)[] = [];
  function noteFailures(app: INestApplication): void {
    const server = app.getHttpAdapter().getInstance() as {
      addHook?: (name: 'onResponse', hook: (request: object) => Promise<void>) => void;
    };
    if (server.addHook !== undefined) {
      server.addHook('onResponse', async (request) => {
        failures.push(authFailureOf(request)?.code);
      });
    } else {
      app.use(
        (request: object, response: { on(e: 'finish', f: () => void): void }, next: () => void) => {
          response.on('finish', () => failures.push(authFailureOf(request)?.code));
          next();
        },
      );
    }
  }

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  /** A query or mutation over HTTP, with an optional raw Authorization header. */
  async function overHttp(query: string, authorization?: string): Promise<Answer> {
    const response = await fetch(new URL('graphql', running.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    // GraphQL answers a resolver's failure in `errors` with 200: the status is in the extensions.
    expect(response.status).toBe(200);
    const body = JSON.parse(text) as { data?: unknown; errors?: ErrorJson[] };
    return { data: body.data ?? null, errors: body.errors ?? [], text };
  }

  /**
   * A subscription over graphql-ws (client: graphql-ws with ws), its token in the connection_init
   * payload and/or the upgrade request's headers; resolves when the server completes or refuses
   * the operation, and fails if neither happens within the deadline.
   */
  async function overWebSocket(
    query: string,
    options: {
      connectionParams?: Record<string, unknown>;
      upgradeHeaders?: Record<string, string>;
    },
  ): Promise<Answer & { acknowledged: boolean }> {
    const headers = options.upgradeHeaders ?? {};
    class WebSocketWithHeaders extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    const frames: string[] = [];
    let acknowledged = false;
    const client = createClient({
      url: new URL('graphql', running.url).href.replace(/^http/, 'ws'),
      webSocketImpl: WebSocketWithHeaders,
      connectionParams: options.connectionParams,
      retryAttempts: 0,
      on: {
        connected: () => {
          acknowledged = true;
        },
        message: (message) => {
          frames.push(JSON.stringify(message));
        },
      },
    });
    const data: unknown[] = [];
    const errors: ErrorJson[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no answer within ${SUBSCRIPTION_DEADLINE_MS} ms`)),
          SUBSCRIPTION_DEADLINE_MS,
        );
        const settle = (fn: () => void) => {
          clearTimeout(timer);
          fn();
        };
        client.subscribe<unknown>(
          { query },
          {
            next: (result: FormattedExecutionResult<unknown>) => {
              if (result.data != null) data.push(result.data);
              errors.push(...((result.errors ?? []) as ErrorJson[]));
            },
            // Mercurius refuses with an `error` message (its payload: the errors), Apollo's
            // graphql-ws server with a `next` carrying them, then `complete`.
            error: (error: unknown) =>
              settle(() => {
                if (Array.isArray(error)) {
                  errors.push(...(error as ErrorJson[]));
                  resolve();
                } else reject(error instanceof Error ? error : new Error(String(error)));
              }),
            complete: () => settle(resolve),
          },
        );
      });
    } finally {
      await client.dispose();
    }
    return { data: data[0] ?? null, errors, text: frames.join('\n'), acknowledged };
  }

  /**
   * Asserts one refusal: the error's extensions carry the code, status and challenge an HTTP route
   * sends; the message is the description; no data, no token and no stack frame in the answer.
   */
  function expectRefused(
    answer: Answer,
    expected: Refusal & { scope?: string },
    token?: string,
  ): void {
    expect(answer.data).toBeNull();
    expect(answer.errors).toHaveLength(1);
    const error = answer.errors[0]!;
    expect(error.message).toMatch(expected.description);
    const challenge =
      expected.code === 'unauthorized'
        ? realm
        : `${realm}, error="${expected.code}", error_description="${error.message}"` +
          (expected.scope === undefined ? '' : `, scope="${expected.scope}"`);
    const extensions: AuthErrorExtensions = {
      code: expected.code,
      status: expected.status,
      challenge,
    };
    // Apollo adds the error's stack when asked to (see DRIVERS): one line, the message, no frame.
    const { stacktrace, ...rest } = (error.extensions ?? {}) as { stacktrace?: string[] };
    expect(rest).toEqual(extensions);
    if (stacktrace !== undefined)
      expect(stacktrace).toEqual([`GraphqlAuthError: ${error.message}`]);
    expect(answer.text).not.toMatch(/\bat .+\.(ts|js|cjs|mjs):\d+/);
    if (token !== undefined) expect(answer.text).not.toContain(token);
  }

  const tokenOf = (authorization: string | undefined) => authorization?.split(' ')[1];

  describe.each([
    ['a query', '{ scopedMessage }', { scopedMessage: 'scoped' }, 'read:messages'],
    [
      'a mutation',
      'mutation { postMessage(text: "hi") }',
      { postMessage: 'posted hi' },
      'write:messages',
    ],
  ])('%s over HTTP, through the quickstart matrix', (_kind, document, data, scope) => {
    it.each(MATRIX)('answers %s', async (_case, authorize, expected) => {
      const authorization = authorize(issuer);
      const answer = await overHttp(document, authorization);
      if (expected === 'ok') {
        expect(answer).toMatchObject({ data, errors: [] });
      } else {
        expectRefused(
          answer,
          { ...expected, scope: expected.code === 'insufficient_scope' ? scope : undefined },
          tokenOf(authorization),
        );
      }
    });
  });

  describe('a query over HTTP', () => {
    it('gives the resolver the principal through @CurrentUser()', async () => {
      const token = issuer.token({ claims: { sub: 'auth0|graphql', scope: 'b a' } });
      const answer = await overHttp('{ me { sub scopes } }', `Bearer ${token}`);
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({ me: { sub: 'auth0|graphql', scopes: ['a', 'b'] } });
    });

    it('notes the failure on the HTTP request, for the request log line', async () => {
      failures.length = 0;
      await overHttp('{ scopedMessage }', `Bearer ${issuer.token({ claims: { scope: 'x' } })}`);
      await overHttp('{ scopedMessage }', `Bearer ${issuer.token({ claims: { scope: SCOPES } })}`);
      // 'finish' and onResponse may follow the answer's arrival by a moment.
      for (let i = 0; i < 50 && failures.length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(failures).toEqual(['insufficient_scope', undefined]);
    });

    it('requires a token on a guarded field without @Scopes, and accepts any valid one', async () => {
      expectRefused(await overHttp('{ privateMessage }'), {
        status: 401,
        code: 'unauthorized',
        description: /no access token/,
      });
      const answer = await overHttp('{ privateMessage }', `Bearer ${issuer.token()}`);
      expect(answer.data).toEqual({ privateMessage: 'private' });
    });
  });

  describe('a subscription over graphql-ws, the token in the connection_init payload', () => {
    it.each(MATRIX)('answers %s, at subscribe', async (_case, authorize, expected) => {
      const authorization = authorize(issuer);
      const answer = await overWebSocket('subscription { messageAdded }', {
        connectionParams: authorization === undefined ? {} : { authorization },
      });
      // Refused at subscribe, not at connection init: the connection was acknowledged, and the
      // refusal is a GraphQL error with the code, not a closed socket.
      expect(answer.acknowledged).toBe(true);
      if (expected === 'ok') {
        expect(answer).toMatchObject({
          data: { messageAdded: 'hello auth0|user-1' },
          errors: [],
        });
      } else {
        expectRefused(
          answer,
          {
            ...expected,
            scope: expected.code === 'insufficient_scope' ? 'read:messages' : undefined,
          },
          tokenOf(authorization),
        );
      }
    });

    it('reads the field name in any case, as an HTTP header name', async () => {
      const token = issuer.token({ claims: { sub: 'auth0|ws', scope: 'read:messages' } });
      const answer = await overWebSocket('subscription { messageAdded }', {
        connectionParams: { Authorization: `Bearer ${token}` },
      });
      expect(answer).toMatchObject({ data: { messageAdded: 'hello auth0|ws' }, errors: [] });
    });

    it('refuses a payload authorization that is not a string, with invalid_request', async () => {
      const answer = await overWebSocket('subscription { messageAdded }', {
        connectionParams: { authorization: { token: 'x' } },
      });
      expectRefused(answer, {
        status: 401,
        code: 'invalid_request',
        description: /must be a string/,
      });
    });
  });

  describe('a subscription over graphql-ws, the token in the upgrade request', () => {
    it('accepts a valid token from the Authorization header of the upgrade request', async () => {
      const token = issuer.token({ claims: { sub: 'auth0|upgrade', scope: 'read:messages' } });
      const answer = await overWebSocket('subscription { messageAdded }', {
        upgradeHeaders: { authorization: `Bearer ${token}` },
      });
      expect(answer).toMatchObject({ data: { messageAdded: 'hello auth0|upgrade' }, errors: [] });
    });

    it('refuses an expired token from the upgrade request', async () => {
      const token = issuer.token({ claims: { scope: 'read:messages', exp: now() - 3600 } });
      const answer = await overWebSocket('subscription { messageAdded }', {
        upgradeHeaders: { authorization: `Bearer ${token}` },
      });
      expectRefused(
        answer,
        { status: 401, code: 'invalid_token', description: /token expired/ },
        token,
      );
    });

    it('refuses a token sent both in the payload and the upgrade request (RFC 6750 §2)', async () => {
      const token = issuer.token({ claims: { scope: 'read:messages' } });
      const answer = await overWebSocket('subscription { messageAdded }', {
        connectionParams: { authorization: `Bearer ${token}` },
        upgradeHeaders: { authorization: `Bearer ${token}` },
      });
      expectRefused(
        answer,
        { status: 401, code: 'invalid_request', description: /send the access token once/ },
        token,
      );
    });
  });
});
