import { Module } from '@nestjs/common';
import { DevIssuerController } from './dev-issuer.controller.js';
import { DevIssuerKeys } from './dev-issuer.keys.js';

/** The development issuer; loaded only when no issuer is configured and NODE_ENV is not production. */
@Module({
  controllers: [DevIssuerController],
  providers: [DevIssuerKeys],
})
export class DevIssuerModule {}
