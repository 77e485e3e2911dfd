import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { READINESS_INDICATORS } from './health.constants.js';
import type { ReadinessIndicator } from './readiness-indicator.js';
import { SigningKeysIndicator } from './signing-keys.indicator.js';

/** Options of {@link HealthModule.forRoot}. */
export interface HealthModuleOptions {
  /** Readiness checks beyond the signing keys, e.g. a database's state. */
  readiness?: Type<ReadinessIndicator>[];
  /** Modules that export what those indicators inject. */
  imports?: ModuleMetadata['imports'];
}

/**
 * `GET /health/live` and `GET /health/ready` (@nestjs/terminus). Readiness checks the signing keys
 * and every indicator passed in `readiness`; each answers from state its feature already holds.
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    const indicators = [SigningKeysIndicator, ...(options.readiness ?? [])];
    return {
      module: HealthModule,
      // Terminus would log every failed probe; the outage is logged once where it happens.
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        ...indicators,
        {
          provide: READINESS_INDICATORS,
          useFactory: (...instances: ReadinessIndicator[]) => instances,
          inject: indicators,
        },
      ],
    };
  }
}
