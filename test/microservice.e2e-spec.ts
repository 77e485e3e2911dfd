import {
  Controller,
  Get,
  Module,
  Scope,
  UseGuards,
  type INestApplication,
  type INestMicroservice,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientTCP,
  MessagePattern,
  Transport,
  type MicroserviceOptions,
  type ReadPacket,
} from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  JwtStrategy,
  Public,
  Scopes,
  type Principal,
  type RpcAuthError,
} from '../src/auth/index.js';
import { freePort, get } from './support/http.js';
import { QUICKSTART_MATRIX } from './support/quickstart-matrix.js';
import { TestIssuer } from './support/test-issuer.js';

@Controller()
class OrdersRpcController {
  /** No guard named: closed by protectAllRoutes. */
  @MessagePattern('orders.list')
  @Scopes('orders:read')
  list(@CurrentUser() user: Principal): { sub: string; orders: string[] } {
    return { sub: user.sub, orders: ['order-1'] };
  }

  /** The route guard as well: it must not change the outcome. */
  @MessagePattern('orders.guarded')
  @UseGuards(JwtAuthGuard)
  @Scopes('orders:read')
  guarded(@CurrentUser() user: Principal): { sub: string; orders: string[] } {
    return { sub: user.sub, orders: ['order-1'] };
  }

  /** No decorator but the pattern: protectAllRoutes alone decides. */
  @MessagePattern('orders.count')
  count(): number {
    return 1;
  }

  /** A message handler that is an HTTP route as well. */
  @MessagePattern('orders.total')
  @Get('orders/total')
  total(): number {
    return 2;
  }

  @MessagePattern('ping')
  @Public()
  ping(): string {
    return 'pong';
  }
}

/** A module of `controller` behind `AuthModule` with `protectAllRoutes`, trusting `issuer`. */
function protectedService(issuer: TestIssuer, controller: Type): Type {
  @Module({
    imports: [
      AuthModule.forRoot({
        issuerUrl: issuer.url,
        audience: issuer.audience,
        protectAllRoutes: true,
      }),
    ],
    controllers: [controller],
  })
  class ProtectedServiceModule {}
  return ProtectedServiceModule;
}

/** The service's module: `OrdersRpcController` behind `protectAllRoutes`, trusting `issuer`. */
const ordersService = (issuer: TestIssuer): Type => protectedService(issuer, OrdersRpcController);

/** How a client sends the token: in the packet's metadata, or in the payload's `headers` field. */
const CARRIERS = ['metadata', 'headers'] as const;

describe('microservice handlers (TCP)', () => {
  const issuer = new TestIssuer('https://orders.example/api');
  let service: INestMicroservice;
  let client: ClientTCP;
  /** The metadata the next packet carries (set through the client's dispatch hook). */
  let metadata: Record<string, string> | undefined;

  beforeAll(async () => {
    await issuer.start();
    const port = await freePort();
    service = await NestFactory.createMicroservice<MicroserviceOptions>(ordersService(issuer), {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await service.listen();
    client = new ClientTCP({ host: '127.0.0.1', port });
    client.setOnDispatchHook((packet: ReadPacket) => {
      if (metadata !== undefined) packet.metadata = metadata;
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await issuer.stop();
  });

  /** Sends `pattern` with the Authorization value in the named carrier; resolves with the answer or the error. */
  async function call(
    pattern: string,
    carrier: (typeof CARRIERS)[number],
    authorization: string | undefined,
  ): Promise<{ answer?: unknown; error?: RpcAuthError }> {
    metadata =
      carrier === 'metadata' && authorization !== undefined ? { authorization } : undefined;
    const payload =
      carrier === 'headers' && authorization !== undefined
        ? { headers: { authorization }, page: 1 }
        : { page: 1 };
    try {
      return { answer: await firstValueFrom(client.send(pattern, payload)) };
    } catch (error) {
      return { error: error as RpcAuthError };
    }
  }

  describe.each(['orders.list', 'orders.guarded'])('%s', (pattern) => {
    describe.each(CARRIERS)('token in the %s', (carrier) => {
      it.each(QUICKSTART_MATRIX)(
        'answers $name like HTTP: $status $error',
        async ({ authorization, status, error }) => {
          const outcome = await call(pattern, carrier, authorization(issuer));
          if (status === 200) {
            expect(outcome).toEqual({ answer: { sub: 'auth0|user-1', orders: ['order-1'] } });
            return;
          }
          expect(outcome.error).toEqual({
            status: 'error',
            statusCode: status,
            error,
            error_description: expect.any(String),
            message: outcome.error?.error_description,
          });
        },
      );
    });
  });

  it('refuses a token sent both in the metadata and in the payload with 401 invalid_request', async () => {
    const authorization = `Bearer ${issuer.token({ claims: { scope: 'orders:read' } })}`;
    metadata = { authorization };
    try {
      await expect(
        firstValueFrom(client.send('orders.list', { headers: { authorization } })),
      ).rejects.toMatchObject({ statusCode: 401, error: 'invalid_request' });
    } finally {
      metadata = undefined;
    }
  });

  it('answers a @Public() handler without a token', async () => {
    expect(await call('ping', 'headers', undefined)).toEqual({ answer: 'pong' });
  });
});

/** Starts a hybrid app's HTTP side and its microservice, in one of the two orders Nest allows. */
const START_ORDERS = [
  {
    order: 'startAllMicroservices() then listen()',
    start: async (app: INestApplication) => {
      await app.startAllMicroservices();
      await app.listen(0, '127.0.0.1');
    },
  },
  {
    order: 'listen() then startAllMicroservices()',
    start: async (app: INestApplication) => {
      await app.listen(0, '127.0.0.1');
      await app.startAllMicroservices();
    },
  },
];

/**
 * A hybrid app of `module` (HTTP and a TCP microservice on 127.0.0.1), started by `start`
 * (`startAllMicroservices()` then `init()` by default), with a connected client.
 */
async function startHybrid(
  module: Type,
  inheritAppConfig = false,
  start: (app: INestApplication) => Promise<void> = async (app) => {
    await app.startAllMicroservices();
    await app.init();
  },
): Promise<{ app: INestApplication; client: ClientTCP }> {
  const port = await freePort();
  const app = await NestFactory.create(module, { logger: false });
  app.connectMicroservice<MicroserviceOptions>(
    { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
    { inheritAppConfig },
  );
  await start(app);
  const client = new ClientTCP({ host: '127.0.0.1', port });
  await client.connect();
  return { app, client };
}

/** What a client receives for an auth failure of a message handler (`RpcAuthError`). */
function rpcAuthError(statusCode: number, error: string): RpcAuthError {
  return {
    status: 'error',
    statusCode,
    error,
    error_description: expect.any(String) as string,
    message: expect.any(String) as string,
  };
}

/**
 * A hybrid app (HTTP and a microservice in one process). Nest gives a connected microservice the
 * app's global guards and filters only with `inheritAppConfig: true`; without it, `AuthModule` binds
 * its guard and filter to every message handler itself, so the outcome is the same either way.
 */
describe.each([
  { connected: 'with inheritAppConfig', inheritAppConfig: true },
  { connected: 'without inheritAppConfig', inheritAppConfig: false },
])(
  'microservice handlers of a hybrid app (connectMicroservice $connected)',
  ({ inheritAppConfig }) => {
    describe.each(START_ORDERS)('started with $order', ({ start }) => {
      const issuer = new TestIssuer('https://orders.example/api');
      let app: INestApplication;
      let client: ClientTCP;

      beforeAll(async () => {
        await issuer.start();
        ({ app, client } = await startHybrid(ordersService(issuer), inheritAppConfig, start));
      });

      afterAll(async () => {
        await client?.close();
        await app?.close();
        await issuer.stop();
      });

      /** A token granting `scope`, never sent before (so that the verified-token cache cannot answer it). */
      function bearer(scope: string): string {
        return `Bearer ${issuer.token({ claims: { scope, jti: randomUUID() } })}`;
      }

      it('refuses a handler closed only by protectAllRoutes without a token, with the RPC error shape', async () => {
        await expect(firstValueFrom(client.send('orders.list', { page: 1 }))).rejects.toEqual(
          rpcAuthError(401, 'unauthorized'),
        );
      });

      it('refuses a handler with no decorator but its pattern without a token, and answers a token', async () => {
        await expect(firstValueFrom(client.send('orders.count', { page: 1 }))).rejects.toEqual(
          rpcAuthError(401, 'unauthorized'),
        );
        const authorization = bearer('orders:write');
        await expect(
          firstValueFrom(client.send('orders.count', { headers: { authorization } })),
        ).resolves.toBe(1);
      });

      it('refuses it a token without the scope with 403 insufficient_scope', async () => {
        const authorization = bearer('orders:write');
        await expect(
          firstValueFrom(client.send('orders.list', { headers: { authorization } })),
        ).rejects.toEqual(rpcAuthError(403, 'insufficient_scope'));
      });

      it('answers it to a token granting the scope', async () => {
        const authorization = bearer('orders:read');
        await expect(
          firstValueFrom(client.send('orders.list', { headers: { authorization } })),
        ).resolves.toEqual({ sub: 'auth0|user-1', orders: ['order-1'] });
      });

      it('refuses a @UseGuards(JwtAuthGuard) handler a bad token, with the RPC error shape', async () => {
        const authorization = 'Bearer not.a.token';
        await expect(
          firstValueFrom(client.send('orders.guarded', { headers: { authorization } })),
        ).rejects.toEqual(rpcAuthError(401, 'invalid_token'));
      });

      it('verifies the token once on a handler that also has @UseGuards(JwtAuthGuard)', async () => {
        const run = jest.spyOn(app.get(JwtStrategy), 'run');
        try {
          const authorization = bearer('orders:read');
          await expect(
            firstValueFrom(client.send('orders.guarded', { headers: { authorization } })),
          ).resolves.toEqual({ sub: 'auth0|user-1', orders: ['order-1'] });
          expect(run).toHaveBeenCalledTimes(1);
        } finally {
          run.mockRestore();
        }
      });

      it('answers a @Public() handler without a token', async () => {
        await expect(firstValueFrom(client.send('ping', { page: 1 }))).resolves.toBe('pong');
      });

      it('guards a handler that is an HTTP route as well on both: 401 with a challenge, a refused message', async () => {
        const url = await app.getUrl();
        const refused = await get(url, 'orders/total');
        expect(refused.status).toBe(401);
        expect(refused.challenge).toMatch(/^Bearer /);
        expect(refused.body).toMatchObject({ error: 'unauthorized' });
        const answered = await get(url, 'orders/total', bearer('orders:read'));
        expect(answered.status).toBe(200);
        expect(answered.text).toBe('2');
        // Refused; without inheritAppConfig in Nest's generic shape (the README says why).
        await expect(firstValueFrom(client.send('orders.total', {}))).rejects.toMatchObject({
          status: 'error',
        });
        const authorization = bearer('orders:read');
        await expect(
          firstValueFrom(client.send('orders.total', { headers: { authorization } })),
        ).resolves.toBe(2);
      });
    });
  },
);

/** A controller that only the two apps below use, so that the first one is the first to bind it. */
@Controller()
class SharedRpcController {
  @MessagePattern('shared.whoami')
  whoami(@CurrentUser() user: Principal): string {
    return user.sub;
  }
}

/**
 * Two hybrid apps of one process, each trusting its own issuer, serve the same controller class
 * (whose handler metadata they share), both connected without `inheritAppConfig`: the first binds
 * the guard to the class, the second finds it bound; each must check tokens with its own issuer.
 */
describe('two hybrid apps of one process sharing a controller class, without inheritAppConfig', () => {
  const issuers = [
    new TestIssuer('https://first.example/api'),
    new TestIssuer('https://second.example/api'),
  ];
  const apps: INestApplication[] = [];
  const clients: ClientTCP[] = [];

  beforeAll(async () => {
    for (const issuer of issuers) {
      await issuer.start();
      const { app, client } = await startHybrid(protectedService(issuer, SharedRpcController));
      apps.push(app);
      clients.push(client);
    }
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const app of apps) await app.close();
    for (const issuer of issuers) await issuer.stop();
  });

  it.each([0, 1])('app %i refuses a message without a token', async (index) => {
    await expect(firstValueFrom(clients[index]!.send('shared.whoami', {}))).rejects.toEqual(
      rpcAuthError(401, 'unauthorized'),
    );
  });

  it.each([0, 1])(
    "app %i answers its own issuer's token and refuses the other's",
    async (index) => {
      const own = `Bearer ${issuers[index]!.token()}`;
      const other = `Bearer ${issuers[1 - index]!.token()}`;
      const client = clients[index]!;
      await expect(
        firstValueFrom(client.send('shared.whoami', { headers: { authorization: own } })),
      ).resolves.toBe('auth0|user-1');
      await expect(
        firstValueFrom(client.send('shared.whoami', { headers: { authorization: other } })),
      ).rejects.toEqual(rpcAuthError(401, 'invalid_token'));
    },
  );
});

/** A request-scoped controller: Nest builds its handlers' guards per message, from the same metadata. */
@Controller({ scope: Scope.REQUEST })
class RequestScopedRpcController {
  @MessagePattern('scoped.whoami')
  whoami(@CurrentUser() user: Principal): string {
    return user.sub;
  }
}

describe('a request-scoped controller of a hybrid app, without inheritAppConfig', () => {
  const issuer = new TestIssuer('https://orders.example/api');
  let app: INestApplication;
  let client: ClientTCP;

  beforeAll(async () => {
    await issuer.start();
    ({ app, client } = await startHybrid(protectedService(issuer, RequestScopedRpcController)));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await issuer.stop();
  });

  it('refuses a message without a token and answers a valid token', async () => {
    await expect(firstValueFrom(client.send('scoped.whoami', {}))).rejects.toEqual(
      rpcAuthError(401, 'unauthorized'),
    );
    const authorization = `Bearer ${issuer.token()}`;
    await expect(
      firstValueFrom(client.send('scoped.whoami', { headers: { authorization } })),
    ).resolves.toBe('auth0|user-1');
  });
});
