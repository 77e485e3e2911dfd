import type { INestApplication, Type, DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  DEFAULT_SERVER_LIMITS,
  LimitedFastifyAdapter,
  type ServerLimits,
} from '../../src/server/index.js';

/** The HTTP platforms the e2e matrix runs on. */
export const ADAPTERS = ['fastify', 'express'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** A Nest app listening on 127.0.0.1:0, and its base URL. */
export interface RunningApp {
  app: INestApplication;
  url: string;
}

/**
 * Builds `root` on the named adapter and starts it on a loopback port (any free one by default);
 * `configure` runs between creation and `listen`, as `main.ts`'s set-up steps do. On Fastify the
 * product's server limits apply (`limits` overrides some).
 */
export async function startApp(
  root: Type | DynamicModule,
  adapter: AdapterName,
  port = 0,
  configure?: (app: INestApplication) => unknown,
  limits: Partial<ServerLimits> = {},
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(
          new LimitedFastifyAdapter({ ...DEFAULT_SERVER_LIMITS, ...limits }),
          {
            logger: false,
          },
        )
      : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
  await configure?.(app);
  await app.listen(port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url: `${url}/` };
}
