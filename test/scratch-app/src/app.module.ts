import { Module } from '@nestjs/common';
import { AuthModule } from '@nest-oauth2-resource-server/auth';
import { OrdersController, StatusController } from './orders.controller.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * A service using the AuthModule package as its README says. GraphQL resolvers and WebSocket
 * gateways protected by the same module go in `providers`.
 */
@Module({
  imports: [
    AuthModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({
        issuerUrl: required('AUTH_ISSUER_URL'),
        audience: required('AUTH_AUDIENCE'),
      }),
    }),
  ],
  controllers: [OrdersController, StatusController],
  providers: [],
})
export class AppModule {}
