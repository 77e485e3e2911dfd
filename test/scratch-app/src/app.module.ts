import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule } from '@nest-oauth2-resource-server/auth';
import { InvoicesController, OrdersController, StatusController } from './orders.controller.js';
import { OrdersGateway } from './orders.gateway.js';
import { OrdersResolver } from './orders.resolver.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * A service using the AuthModule package as its README says, secure by default: every HTTP route,
 * GraphQL resolver and gateway handler needs a valid token unless it is `@Public()`.
 */
@Module({
  imports: [
    AuthModule.forRootAsync({
      isGlobal: true,
      protectAllRoutes: true,
      useFactory: () => ({
        issuerUrl: required('AUTH_ISSUER_URL'),
        audience: required('AUTH_AUDIENCE'),
      }),
    }),
    GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      autoSchemaFile: true,
      graphiql: false,
    }),
  ],
  controllers: [OrdersController, InvoicesController, StatusController],
  providers: [OrdersResolver, OrdersGateway],
})
export class AppModule {}
