import { UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import {
  AuthExceptionFilter,
  CurrentUser,
  Scopes,
  WsHandshakeMiddleware,
  type Principal,
} from '@nest-oauth2-resource-server/auth';

/**
 * A socket.io gateway: the handshake needs a valid token (refused with `connect_error`), each
 * message is checked again by the global guard, `@Scopes` refused with an `exception` event.
 * Nest applies no global exception filter to gateways, so the auth filter is named here.
 */
@WebSocketGateway()
@UseFilters(AuthExceptionFilter)
export class OrdersGateway implements OnGatewayInit {
  constructor(private readonly handshake: WsHandshakeMiddleware) {}

  afterInit(server: { use(middleware: WsHandshakeMiddleware['use']): unknown }): void {
    server.use(this.handshake.use);
  }

  @SubscribeMessage('orders')
  @Scopes('orders:read')
  orders(@CurrentUser() user: Principal): { for: string; orders: string[] } {
    return { for: user.sub, orders: [] };
  }
}
