import { get } from './support/http.js';
import { startProductionMain, type AppProcess } from './support/process.js';
import { rawConnection, sleep, within } from './support/raw-http.js';
import { TestIssuer } from './support/test-issuer.js';

describe('shutdown on SIGTERM and SIGINT (node dist/main.js, production)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let app: AppProcess | undefined;
  let url: string;

  beforeAll(() => issuer.start());
  afterEach(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null)
      app.child.kill('SIGKILL');
    await app?.exited;
    app = undefined;
    issuer.jwksDelayMs = 0;
  });
  afterAll(() => issuer.stop());

  async function start(env: Record<string, string> = {}): Promise<AppProcess> {
    ({ app, url } = await startProductionMain(issuer, env));
    return app;
  }

  /** The exit code and signal once the process exits, with the time from now (undefined after `ms`). */
  async function exitWithin(process: AppProcess, ms: number) {
    const started = Date.now();
    const code = await within(process.exited, ms);
    return process.child.exitCode === null && process.child.signalCode === null
      ? undefined
      : { code, signal: process.child.signalCode, afterMs: Date.now() - started };
  }

  it('exits 0 within SHUTDOWN_TIMEOUT_MS although one request is half-sent and others are idle', async () => {
    const running = await start({ SHUTDOWN_TIMEOUT_MS: '1500' });
    const halfSent = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\nX-Slow: ');
    const silent = rawConnection(url);
    const keptAlive = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\n\r\n');
    await Promise.all([halfSent.connected, silent.connected, keptAlive.connected]);
    // The answer may take a while on a loaded machine: wait for it, bounded.
    for (let i = 0; i < 100 && keptAlive.statuses().length === 0; i++) await sleep(50);
    expect(keptAlive.statuses()).toEqual([200]);

    running.child.kill('SIGTERM');
    const exit = await exitWithin(running, 1_500 + 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit!.afterMs).toBeGreaterThanOrEqual(1_400);
    expect([halfSent, silent, keptAlive].map((c) => c.isClosed())).toEqual([true, true, true]);
    expect(running.output()).toMatch(/SIGTERM: no longer accepting connections/);
    expect(running.output()).toMatch(/closed 2 connection\(s\) still open after 1500 ms/);
    expect(running.output()).not.toMatch(/^\s+at /m);
  });

  it('exits at once on a second signal', async () => {
    const running = await start({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const halfSent = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\n');
    await halfSent.connected;
    await sleep(200);
    running.child.kill('SIGTERM');
    await running.waitFor(/SIGTERM: no longer accepting/);
    expect(await exitWithin(running, 500)).toBeUndefined();

    running.child.kill('SIGINT');
    const exit = await exitWithin(running, 2_000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(running.output()).toMatch(/SIGINT again: exiting now/);
  });

  it('completes a slow in-flight request, refuses new connections and requests meanwhile, then exits 0', async () => {
    // The first token request waits for the key set, which the issuer takes 3 s to send.
    issuer.jwksDelayMs = 3_000;
    const running = await start();
    const slow = get(url, 'api/private', `Bearer ${issuer.token()}`);
    const halfSent = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\n');
    await halfSent.connected;
    await sleep(500);
    running.child.kill('SIGTERM');
    await running.waitFor(/SIGTERM: no longer accepting/);
    await expect(get(url, 'api/public')).rejects.toThrow();
    // A request completed while draining is answered 503, and its connection closed.
    halfSent.socket.write('\r\n');
    expect(await within(halfSent.closed, 3_000)).toBeDefined();
    expect(halfSent.statuses()).toEqual([503]);
    expect(halfSent.received()).toMatch(/^connection: close\r$/im);

    expect((await slow).status).toBe(200);
    const exit = await exitWithin(running, 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(running.output()).not.toMatch(/still open after/);
    expect(running.output()).toMatch(/"context":"Shutdown","msg":"closed"/);
  });
});
