import { request as httpRequest } from 'node:http';
import { AppModule } from '../src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { get } from './support/http.js';
import { startProductionMain, type AppProcess } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

/** The JSON lines the app has written so far. */
function logLines(app: AppProcess): Record<string, unknown>[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The request lines carrying `reqId`, once pino's asynchronous writes have reached the pipe. */
async function requestLines(app: AppProcess, reqId: string): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lines = logLines(app).filter((line) => line['reqId'] === reqId);
    if (lines.length > 0 || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** GET with arbitrary headers. */
async function send(url: string, path: string, headers: Record<string, string>) {
  const response = await fetch(new URL(path, url), {
    headers,
    signal: AbortSignal.timeout(15_000),
  });
  await response.text();
  return response;
}

/** Every sample of the Prometheus text at `url/metrics`, by series (name and labels). */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = (await get(url, 'metrics')).text;
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** How much each of `series` moved between two scrapes. */
function moved(before: Map<string, number>, after: Map<string, number>, series: string[]) {
  return Object.fromEntries(series.map((s) => [s, (after.get(s) ?? 0) - (before.get(s) ?? 0)]));
}

/** Sends one request whose header block is `size` bytes of garbage in one header; resolves with the status. */
function hugeHeader(url: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL('api/private', url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: { 'x-garbage': 'g'.repeat(size) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('request logs and metrics (node dist/main.js, production)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    await issuer.start();
    ({ app, url } = await startProductionMain(issuer, {
      DATABASE_URL: 'postgres://app:hunter2-db-password@127.0.0.1:5432/app',
    }));
    // The start-up warm-up has fetched the keys once readiness says so.
    const deadline = Date.now() + 5_000;
    while ((await get(url, 'health/ready')).status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await app?.stop();
    await issuer.stop();
  });

  it('logs one JSON line for an expired token, with the reason and the issuer, and neither the token nor its signature', async () => {
    const token = issuer.token({ claims: { exp: 1 } });
    const response = await send(url, 'api/private', {
      authorization: `Bearer ${token}`,
      'x-request-id': 'expired-1',
    });
    expect(response.status).toBe(401);
    const lines = await requestLines(app, 'expired-1');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reqId: 'expired-1',
        method: 'GET',
        route: '/api/private',
        status: 401,
        ms: expect.any(Number),
        auth: {
          error: 'invalid_token',
          reason: 'expired',
          detail: expect.stringMatching(/^exp 1, now \d+$/),
          iss: issuer.url,
        },
      }),
    ]);
    const [, payload, signature] = token.split('.');
    expect(app.output()).not.toContain(signature);
    expect(app.output()).not.toContain(payload);
    expect(app.output()).not.toMatch(/authorization|bearer/i);
    expect(app.output()).not.toContain('hunter2');
  });

  it('writes exactly one line per request, refused or not, and none at debug level', async () => {
    for (const [id, authorization] of [
      ['one-ok', `Bearer ${issuer.token()}`],
      ['one-bad-aud', `Bearer ${issuer.token({ claims: { aud: 'https://other/' } })}`],
      ['one-malformed', 'Bearer not a token'],
    ] as const) {
      await send(url, 'api/private', { authorization, 'x-request-id': id });
      await requestLines(app, id);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = logLines(app);
    for (const id of ['one-ok', 'one-bad-aud', 'one-malformed']) {
      expect(lines.filter((line) => JSON.stringify(line).includes(id))).toHaveLength(1);
    }
    expect(lines.find((l) => l['reqId'] === 'one-bad-aud')?.['auth']).toMatchObject({
      error: 'invalid_token',
      reason: 'audience',
    });
    expect(lines.find((l) => l['reqId'] === 'one-malformed')?.['auth']).toMatchObject({
      error: 'invalid_request',
    });
    expect(lines.filter((line) => (line['level'] as number) < 30)).toEqual([]);
  });

  it('returns a well-formed X-Request-Id as sent, and replaces anything else with a new UUID', async () => {
    const kept = await send(url, 'api/public', { 'x-request-id': 'trace-0042.a:b_c' });
    expect(kept.headers.get('x-request-id')).toBe('trace-0042.a:b_c');
    expect(await requestLines(app, 'trace-0042.a:b_c')).toHaveLength(1);

    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of ['has space', 'a'.repeat(200), '"}{"level":60,"msg":"forged']) {
      const replaced = await send(url, 'api/public', { 'x-request-id': bad });
      const id = replaced.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(await requestLines(app, id)).toHaveLength(1);
    }
    expect(app.output()).not.toContain('forged');
    const generated = (await send(url, 'api/public', {})).headers.get('x-request-id');
    expect(generated).toMatch(UUID);
  });

  it('moves /metrics counters by exactly the requests made', async () => {
    const scoped = issuer.token({ claims: { scope: 'read:messages', jti: 'metrics-1' } });
    const unscoped = issuer.token({ claims: { jti: 'metrics-2' } }); // never sent before
    const before = await scrape(url);
    await send(url, 'api/public', {});
    await send(url, 'api/public', { authorization: 'Bearer ignored' });
    await send(url, 'api/private-scoped', { authorization: `Bearer ${scoped}` }); // ok, cache miss
    await send(url, 'api/private-scoped', { authorization: `Bearer ${scoped}` }); // ok, cache hit
    await send(url, 'api/private-scoped', { authorization: `Bearer ${unscoped}` }); // 403, cache miss
    await send(url, 'api/private', {
      authorization: `Bearer ${issuer.token({ claims: { exp: 1 } })}`,
    }); // 401 expired, miss
    await send(url, 'api/private', {}); // 401 unauthorized, no lookup
    await send(url, 'api/private', { authorization: 'Bearer a b' }); // 401 invalid_request, no lookup
    const after = await scrape(url);
    expect(
      moved(before, after, [
        'auth_requests_total{result="ok",reason=""}',
        'auth_requests_total{result="insufficient_scope",reason=""}',
        'auth_requests_total{result="invalid_token",reason="expired"}',
        'auth_requests_total{result="unauthorized",reason=""}',
        'auth_requests_total{result="invalid_request",reason=""}',
        'auth_requests_total{result="temporarily_unavailable",reason=""}',
        'auth_token_cache_lookups_total{result="hit"}',
        'auth_token_cache_lookups_total{result="miss"}',
        'auth_jwks_fetches_total{outcome="ok"}',
        'http_request_duration_seconds_count{method="GET",route="/api/public",status_code="200"}',
        'http_request_duration_seconds_count{method="GET",route="/api/private-scoped",status_code="200"}',
        'http_request_duration_seconds_count{method="GET",route="/api/private-scoped",status_code="403"}',
        'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="401"}',
      ]),
    ).toEqual({
      'auth_requests_total{result="ok",reason=""}': 2,
      'auth_requests_total{result="insufficient_scope",reason=""}': 1,
      'auth_requests_total{result="invalid_token",reason="expired"}': 1,
      'auth_requests_total{result="unauthorized",reason=""}': 1,
      'auth_requests_total{result="invalid_request",reason=""}': 1,
      'auth_requests_total{result="temporarily_unavailable",reason=""}': 0,
      'auth_token_cache_lookups_total{result="hit"}': 1,
      'auth_token_cache_lookups_total{result="miss"}': 3,
      'auth_jwks_fetches_total{outcome="ok"}': 0,
      'http_request_duration_seconds_count{method="GET",route="/api/public",status_code="200"}': 2,
      'http_request_duration_seconds_count{method="GET",route="/api/private-scoped",status_code="200"}': 2,
      'http_request_duration_seconds_count{method="GET",route="/api/private-scoped",status_code="403"}': 1,
      'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="401"}': 3,
    });
    // The start-up warm-up: one fetch, timed.
    expect(after.get('auth_jwks_fetches_total{outcome="ok"}')).toBe(1);
    expect(after.get('auth_jwks_fetch_duration_seconds_count{outcome="ok"}')).toBe(1);
    expect(after.get('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('never makes a new label value from input: 100 KB headers, made-up kids, garbage paths and methods', async () => {
    // One of each kind first, so that the series they legitimately create exist.
    await send(url, 'no/such/route', {});
    await (await fetch(new URL('api/private', url), { method: 'PROPFIND' })).text();
    await send(url, 'api/private', {
      authorization: `Bearer ${issuer.token({ header: { kid: 'made-up-0' } })}`,
    });
    const series = async () =>
      [...(await scrape(url)).keys()].filter((s) => !/^(process|nodejs)_/.test(s)).sort();
    const before = await series();

    expect(await hugeHeader(url, 100 * 1024)).toBe(431);
    expect(
      (await send(url, 'api/private', { authorization: `Bearer ${'x'.repeat(10_000)}` })).status,
    ).toBe(401);
    for (let i = 1; i <= 20; i += 1) {
      const token = issuer.token({ header: { kid: `made-up-${i}-${'k'.repeat(i * 10)}` } });
      expect(
        (
          await send(url, 'api/private', {
            authorization: `Bearer ${token}`,
            'x-request-id': `kid-${i}`,
          })
        ).status,
      ).toBe(401);
      expect((await send(url, `no/such/${'p'.repeat(i * 50)}?q=${i}`, {})).status).toBe(404);
    }
    for (const method of ['MKCOL', 'SEARCH', 'PURGE']) {
      await (await fetch(new URL(`no/${method}`, url), { method })).text();
    }

    expect(await series()).toEqual(before);
    const lines = await requestLines(app, 'kid-20');
    expect(lines[0]?.['auth']).toMatchObject({ error: 'invalid_token', reason: 'unknown_kid' });
  });
});

describe('request ids and metrics on Express (in process)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let running: RunningApp;

  beforeAll(async () => {
    await issuer.start();
    process.env['AUTH_ISSUER_URL'] = issuer.url;
    process.env['AUTH_AUDIENCE'] = issuer.audience;
    running = await startApp(AppModule.forRoot(), 'express');
  });

  afterAll(async () => {
    await running?.app.close();
    await issuer.stop();
  });

  it('returns X-Request-Id, labels by route pattern and counts auth outcomes as on Fastify', async () => {
    const kept = await send(running.url, 'api/public', { 'x-request-id': 'express-1' });
    expect(kept.headers.get('x-request-id')).toBe('express-1');
    const before = await scrape(running.url);
    await send(running.url, 'api/private', { authorization: `Bearer ${issuer.token()}` });
    await send(running.url, 'api/private', {
      authorization: `Bearer ${issuer.token({ claims: { exp: 1 } })}`,
    });
    await send(running.url, `no/such/${'x'.repeat(100)}`, {});
    const after = await scrape(running.url);
    expect(
      moved(before, after, [
        'auth_requests_total{result="ok",reason=""}',
        'auth_requests_total{result="invalid_token",reason="expired"}',
        'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="200"}',
        'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="401"}',
        'http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"}',
      ]),
    ).toEqual({
      'auth_requests_total{result="ok",reason=""}': 1,
      'auth_requests_total{result="invalid_token",reason="expired"}': 1,
      'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="200"}': 1,
      'http_request_duration_seconds_count{method="GET",route="/api/private",status_code="401"}': 1,
      'http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"}': 1,
    });
    expect([...after.keys()].some((series) => series.includes('xxxx'))).toBe(false);
  });
});
