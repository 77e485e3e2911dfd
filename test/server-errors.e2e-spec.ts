import { Body, Controller, Get, Module, Post, type LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DEFAULT_SERVER_LIMITS, LimitedFastifyAdapter } from '../src/server/index.js';
import { rawConnection, sleep } from './support/raw-http.js';

/** Every log call, by level, with the arguments Nest passed (message, then stack and context for errors). */
class CapturingLogger implements LoggerService {
  entries: { level: string; args: unknown[] }[] = [];
  private add =
    (level: string) =>
    (...args: unknown[]) =>
      this.entries.push({ level, args });
  log = this.add('log');
  error = this.add('error');
  warn = this.add('warn');
  debug = this.add('debug');
  verbose = this.add('verbose');
  fatal = this.add('fatal');
  at(level: string): string[] {
    return this.entries
      .filter((e) => e.level === level)
      .map((e) => e.args.map((a) => (a instanceof Error ? a.stack : String(a))).join('\n'));
  }
}

@Controller()
class ErrorsController {
  @Get('route-boom')
  routeBoom(): never {
    throw new Error('route boom');
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [ErrorsController] })
class ErrorsModule {}

describe('errors outside the routes (LimitedFastifyAdapter, in process)', () => {
  const logger = new CapturingLogger();
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ErrorsModule] }).compile();
    const adapter = new LimitedFastifyAdapter(DEFAULT_SERVER_LIMITS);
    // An unexpected failure before any route runs: it reaches the error handler the adapter wraps.
    adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
      done(request.url === '/hook-boom' ? new Error('hook boom') : undefined);
    });
    app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger });
    await app.listen(0, '127.0.0.1');
    url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/`;
  });

  afterAll(() => app?.close());
  beforeEach(() => (logger.entries = []));

  it('logs an unexpected error once, with its stack, and answers 500', async () => {
    const response = await fetch(new URL('hook-boom', url), { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(500);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/hook boom[\s\S]*\n\s+at /);
  });

  it('still logs an error thrown by a route once, with its stack', async () => {
    const response = await fetch(new URL('route-boom', url), {
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(500);
    expect(logger.at('error')).toEqual([expect.stringMatching(/route boom[\s\S]*\n\s+at /)]);
  });

  it('answers a body the route cannot read (415, 400, 413) with one debug line each and no error', async () => {
    const post = (contentType: string, body: string) =>
      fetch(new URL('echo', url), {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal: AbortSignal.timeout(5_000),
      });
    expect((await post('text/csv', 'a,b')).status).toBe(415);
    expect((await post('application/json', '{bad')).status).toBe(400);
    expect((await post('application/json', `"${'a'.repeat(9_000)}"`)).status).toBe(413);
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('debug')).toEqual([
      expect.stringMatching(/^POST request refused with 415: FST_ERR_CTP_INVALID_MEDIA_TYPE/),
      expect.stringMatching(/^POST request refused with 400: FST_ERR_CTP_INVALID_JSON_BODY/),
      expect.stringMatching(/^POST request refused with 413: FST_ERR_CTP_BODY_TOO_LARGE/),
    ]);
  });

  it('logs an aborted body as one debug line, without a stack', async () => {
    const connection = rawConnection(
      url,
      'POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    );
    await connection.connected;
    await sleep(100);
    connection.socket.destroy();
    await sleep(300);
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('debug')).toEqual([
      expect.stringMatching(/^POST request aborted by the client \(ECONNRESET\)/),
    ]);
  });
});
