import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { devIssuerConfig } from '../config/index.js';
import { DevIssuerController } from './dev-issuer.controller.js';
import { DevIssuerHints } from './dev-issuer.hints.js';
import { DevIssuerKeys } from './dev-issuer.keys.js';

/** The development issuer; loaded only when no issuer is configured and NODE_ENV is not production. */
@Module({
  imports: [ConfigModule.forFeature(devIssuerConfig)],
  controllers: [DevIssuerController],
  providers: [DevIssuerKeys, DevIssuerHints],
})
export class DevIssuerModule {}
