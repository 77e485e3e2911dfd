import {
  Controller,
  Module,
  UseGuards,
  type DynamicModule,
  type INestApplication,
  type INestMicroservice,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientTCP,
  MessagePattern,
  Transport,
  type MicroserviceOptions,
  type ReadPacket,
} from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  Public,
  Scopes,
  type Principal,
  type RpcAuthError,
} from '../src/auth/index.js';
import { freePort } from './support/http.js';
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

  @MessagePattern('ping')
  @Public()
  ping(): string {
    return 'pong';
  }
}

/** The service's module: `OrdersRpcController` behind `protectAllRoutes`, trusting `issuer`. */
function ordersService(issuer: TestIssuer): DynamicModule {
  @Module({
    imports: [
      AuthModule.forRoot({
        issuerUrl: issuer.url,
        audience: issuer.audience,
        protectAllRoutes: true,
      }),
    ],
    controllers: [OrdersRpcController],
  })
  class OrdersServiceModule {}
  return { module: OrdersServiceModule };
}

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

/**
 * A hybrid app (HTTP and a microservice in one process): Nest gives a connected microservice the
 * app's global guards and filters only with `inheritAppConfig: true`; the README says so.
 */
describe('microservice handlers of a hybrid app (connectMicroservice with inheritAppConfig)', () => {
  const issuer = new TestIssuer('https://orders.example/api');
  let app: INestApplication;
  let client: ClientTCP;

  beforeAll(async () => {
    await issuer.start();
    const port = await freePort();
    app = await NestFactory.create(ordersService(issuer), { logger: false });
    app.connectMicroservice<MicroserviceOptions>(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.init();
    client = new ClientTCP({ host: '127.0.0.1', port });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await issuer.stop();
  });

  it('refuses a handler closed only by protectAllRoutes without a token, with the RPC error shape', async () => {
    await expect(firstValueFrom(client.send('orders.list', { page: 1 }))).rejects.toEqual({
      status: 'error',
      statusCode: 401,
      error: 'unauthorized',
      error_description: expect.any(String),
      message: expect.any(String),
    });
  });

  it('answers it to a token granting the scope', async () => {
    const authorization = `Bearer ${issuer.token({ claims: { scope: 'orders:read' } })}`;
    await expect(
      firstValueFrom(client.send('orders.list', { headers: { authorization } })),
    ).resolves.toEqual({ sub: 'auth0|user-1', orders: ['order-1'] });
  });
});
