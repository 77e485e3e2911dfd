import { Module, UseFilters, UseGuards } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import { io, type Socket } from 'socket.io-client';
import {
  AuthExceptionFilter,
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Scopes,
  WS_EXCEPTION_EVENT,
  WsHandshakeMiddleware,
  type AuthErrorBody,
  type Principal,
} from '../src/auth/index.js';
import { ADAPTERS, startApp, type RunningApp } from './support/app.js';
import { QUICKSTART_MATRIX as MATRIX } from './support/quickstart-matrix.js';
import { TestIssuer } from './support/test-issuer.js';

/** The token is checked at the handshake (a socket.io middleware) and again by each handler's guard. */
// Nest applies no global exception filter to gateways: the auth filter is named on each.
@WebSocketGateway()
@UseFilters(AuthExceptionFilter)
class OrdersGateway implements OnGatewayInit {
  constructor(private readonly handshake: WsHandshakeMiddleware) {}

  afterInit(server: { use(middleware: WsHandshakeMiddleware['use']): unknown }): void {
    server.use(this.handshake.use);
  }

  @SubscribeMessage('whoami')
  @UseGuards(JwtAuthGuard)
  whoami(@CurrentUser() user: Principal): { sub: string } {
    return { sub: user.sub };
  }

  @SubscribeMessage('orders')
  @UseGuards(JwtAuthGuard)
  @Scopes('orders:read')
  orders(): string[] {
    return ['order-1'];
  }
}

/** No handshake check: only the handlers' guard stands, and refuses with an error event. */
@WebSocketGateway({ namespace: 'plain' })
@UseFilters(AuthExceptionFilter)
class PlainGateway {
  @SubscribeMessage('orders')
  @UseGuards(JwtAuthGuard)
  @Scopes('orders:read')
  orders(@CurrentUser() user: Principal): { sub: string; orders: string[] } {
    return { sub: user.sub, orders: ['order-1'] };
  }
}

/** Connects with an optional Authorization header; resolves with the socket, or the handshake's refusal. */
function connect(
  url: string,
  authorization: string | undefined,
): Promise<{ socket: Socket } | { refused: Error & { data?: AuthErrorBody } }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5_000,
    extraHeaders: authorization === undefined ? {} : { authorization },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (refused) => {
      socket.close();
      resolve({ refused });
    });
  });
}

/** Sends one message; resolves with its answer (the ack) or the `exception` event, whichever comes. */
function send(socket: Socket, event: string): Promise<{ answer?: unknown; error?: AuthErrorBody }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${event} within 5 s`)), 5_000);
    socket.once(WS_EXCEPTION_EVENT, (error: AuthErrorBody) => {
      clearTimeout(timer);
      resolve({ error });
    });
    socket.emit(event, {}, (answer: unknown) => {
      clearTimeout(timer);
      resolve({ answer });
    });
  });
}

describe.each(ADAPTERS)('WebSocket gateways (socket.io) on %s', (adapter) => {
  const issuer = new TestIssuer('https://orders.example/api');
  let running: RunningApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await issuer.start();
    @Module({
      imports: [AuthModule.forRoot({ issuerUrl: issuer.url, audience: issuer.audience })],
      providers: [OrdersGateway, PlainGateway],
    })
    class ChatModule {}
    running = await startApp(ChatModule, adapter);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  async function connected(url: string, authorization: string | undefined): Promise<Socket> {
    const outcome = await connect(url, authorization);
    if ('refused' in outcome) throw outcome.refused;
    sockets.push(outcome.socket);
    return outcome.socket;
  }

  describe('the handshake', () => {
    it.each(MATRIX.filter((c) => c.status === 401))(
      'refuses $name with connect_error carrying $status $error',
      async ({ authorization: make, status, error }) => {
        const authorization = make(issuer);
        const outcome = await connect(running.url, authorization);
        expect('refused' in outcome).toBe(true);
        if (!('refused' in outcome)) return;
        expect(outcome.refused.data).toEqual({
          statusCode: status,
          error,
          error_description: expect.any(String),
        });
        if (authorization !== undefined && authorization.length > 30) {
          expect(JSON.stringify(outcome.refused.data)).not.toContain(authorization.slice(7));
        }
      },
    );

    it('accepts a valid token and gives the handlers the principal through @CurrentUser()', async () => {
      const socket = await connected(running.url, `Bearer ${issuer.token()}`);
      expect(await send(socket, 'whoami')).toEqual({ answer: { sub: 'auth0|user-1' } });
    });
  });

  describe('a handler with @Scopes', () => {
    it('refuses a valid token without the scope with an exception event carrying 403 insufficient_scope', async () => {
      const socket = await connected(
        running.url,
        `Bearer ${issuer.token({ claims: { scope: 'orders:write' } })}`,
      );
      expect(await send(socket, 'orders')).toEqual({
        error: {
          statusCode: 403,
          error: 'insufficient_scope',
          error_description: 'token lacks the required scope: orders:read',
        },
      });
    });

    it('answers a token with the scope', async () => {
      const socket = await connected(
        running.url,
        `Bearer ${issuer.token({ claims: { scope: 'orders:read' } })}`,
      );
      expect(await send(socket, 'orders')).toEqual({ answer: ['order-1'] });
    });
  });

  describe('a gateway without the handshake check', () => {
    it.each(MATRIX)(
      'answers $name on a guarded message like HTTP: $status $error',
      async ({ authorization, status, error }) => {
        const socket = await connected(`${running.url}plain`, authorization(issuer));
        const outcome = await send(socket, 'orders');
        if (status === 200) {
          expect(outcome).toEqual({ answer: { sub: 'auth0|user-1', orders: ['order-1'] } });
        } else {
          expect(outcome.error).toEqual({
            statusCode: status,
            error,
            error_description: expect.any(String),
          });
        }
      },
    );
  });
});

/** No guard named: protectAllRoutes' global guard applies to gateways too. */
@WebSocketGateway({ namespace: 'undecorated' })
@UseFilters(AuthExceptionFilter)
class UndecoratedGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: Principal): { sub: string } {
    return { sub: user.sub };
  }
}

describe('protectAllRoutes on a gateway', () => {
  const issuer = new TestIssuer('https://orders.example/api');
  let running: RunningApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await issuer.start();
    @Module({
      imports: [
        AuthModule.forRoot({
          issuerUrl: issuer.url,
          audience: issuer.audience,
          protectAllRoutes: true,
        }),
      ],
      providers: [UndecoratedGateway],
    })
    class GlobalModule {}
    running = await startApp(GlobalModule, 'fastify');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await running?.app.close();
    await issuer.stop();
  });

  it.each([
    ['without a token', undefined, { error: expect.objectContaining({ statusCode: 401 }) }],
    ['with a valid token', 'valid', { answer: { sub: 'auth0|user-1' } }],
  ])('answers a message to a handler without any decorator %s', async (_name, kind, expected) => {
    const outcome = await connect(
      `${running.url}undecorated`,
      kind === undefined ? undefined : `Bearer ${issuer.token()}`,
    );
    if ('refused' in outcome) throw outcome.refused;
    sockets.push(outcome.socket);
    expect(await send(outcome.socket, 'whoami')).toEqual(expected);
  });
});
