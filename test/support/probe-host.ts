import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuthModule,
  JwtAuthGuard,
  Scopes,
  ScopesGuard,
  type AuthOptions,
} from '../../src/auth/index.js';
import { startApp, type RunningApp } from './app.js';
import type { TestIssuer } from './test-issuer.js';

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

/** Starts {@link probeHost} on Fastify for `issuer`'s tokens; `options` override or add to the defaults. */
export function startProbeApp(
  issuer: TestIssuer,
  options: Partial<AuthOptions> = {},
): Promise<RunningApp> {
  return startApp(
    probeHost({ issuerUrl: issuer.url, audience: issuer.audience, ...options }),
    'fastify',
  );
}
