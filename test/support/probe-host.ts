import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { AuthModule, JwtAuthGuard, type AuthOptions } from '../../src/auth/index.js';

@Controller()
class ProbeController {
  @Get('probe')
  @UseGuards(JwtAuthGuard)
  probe(): string {
    return 'ok';
  }

  @Get('open')
  open(): string {
    return 'open';
  }
}

/** A throwaway host app: `AuthModule.forRoot(options)` and one guarded route, `GET /probe` (plus an open `GET /open`). */
export function probeHost(options: AuthOptions): DynamicModule {
  @Module({ imports: [AuthModule.forRoot(options)], controllers: [ProbeController] })
  class ProbeHostModule {}
  return { module: ProbeHostModule };
}
