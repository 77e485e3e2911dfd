import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuthModule,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthOptions,
} from '../../src/auth/index.js';

@Controller()
class ProbeController {
  @Get('probe')
  @UseGuards(JwtAuthGuard)
  probe(): string {
    return 'ok';
  }

  @Get('scoped')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  @Scopes('orders:read')
  scoped(): string {
    return 'scoped';
  }

  @Get('open')
  open(): string {
    return 'open';
  }
}

/** A throwaway host app: `AuthModule.forRoot(options)` a guarded `GET /probe`, `GET /scoped` needing `orders:read`, and an open `GET /open`. */
export function probeHost(options: AuthOptions): DynamicModule {
  @Module({ imports: [AuthModule.forRoot(options)], controllers: [ProbeController] })
  class ProbeHostModule {}
  return { module: ProbeHostModule };
}
