import { freePort, get } from './support/http.js';
import { startMain, type AppProcess, startProductionMain } from './support/process.js';
import { rawConnection, rssMb, sleep, within, type RawConnection } from './support/raw-http.js';
import { TestIssuer } from './support/test-issuer.js';

/** A short request timeout, so that the tests see it act; the default is 30 s. */
const REQUEST_TIMEOUT_MS = 1_000;
/** Node checks the timeouts every second at most, and a loaded machine adds its own delay. */
const TIMEOUT_SLACK_MS = 3_000;

/** Opens `count` connections, each writing `request`, a few at a time so that the listen backlog never overflows. */
async function openMany(
  url: string,
  count: number,
  request: string | Buffer,
): Promise<RawConnection[]> {
  const connections: RawConnection[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, () =>
      rawConnection(url, request),
    );
    await Promise.all(batch.map((c) => c.connected));
    connections.push(...batch);
  }
  return connections;
}

/** Resolves once every connection is closed, or after `ms`; returns how many are still open. */
async function stillOpenAfter(connections: RawConnection[], ms: number): Promise<number> {
  await within(Promise.all(connections.map((c) => c.closed)), ms);
  return connections.filter((c) => !c.isClosed()).length;
}

/**
 * The server's RSS once it has already served `requests` on 25 connections each: a fresh process grows
 * its heap and compiles its code on the first few hundred requests of any kind, which is not what the
 * memory bounds below are about (a first-test measure was seen at 52 MB on a CI machine).
 */
async function rssAfterWarmUp(
  pid: number,
  url: string,
  requests: Array<string | Buffer>,
  ms: number,
): Promise<number> {
  for (const request of requests) await stillOpenAfter(await openMany(url, 25, request), ms);
  return rssMb(pid);
}

function logLines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '');
}

describe('HTTP server limits in production (node dist/main.js)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    await issuer.start();
    ({ app, url } = await startProductionMain(issuer, {
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      HTTP_MAX_REQUESTS_PER_SOCKET: '50',
      HTTP_MAX_CONNECTIONS: '400',
    }));
  });

  afterAll(async () => {
    await app?.stop();
    await issuer.stop();
  });

  it('refuses a body on routes that take none with 413 before reading it, and closes each connection (300 sockets, 1 MiB announced)', async () => {
    const chunk = Buffer.alloc(65_536, 0x61);
    const requests = ['POST /api/public', 'GET /api/private', 'POST /nowhere'].map((line) =>
      Buffer.concat([
        Buffer.from(
          `${line} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n`,
        ),
        chunk,
      ]),
    );
    const rssBefore = await rssAfterWarmUp(app.child.pid!, url, requests, 5_000);
    const connections: RawConnection[] = [];
    for (const request of requests) connections.push(...(await openMany(url, 100, request)));
    expect(await stillOpenAfter(connections, 5_000)).toBe(0);
    expect(connections.map((c) => c.statuses())).toEqual(connections.map(() => [413]));
    expect(connections[0]!.received()).toMatch(/^connection: close\r$/im);
    // Before: each such body was read up to the 1 MiB limit and the sockets stayed open.
    expect(rssMb(app.child.pid!) - rssBefore).toBeLessThan(50);
  });

  it('answers 408 and closes the connections whose request never completes, after HTTP_REQUEST_TIMEOUT_MS (200 sockets)', async () => {
    const rssBefore = rssMb(app.child.pid!);
    const started = Date.now();
    const connections = await openMany(url, 200, 'GET /api/public HTTP/1.1\r\nHost: t\r\nX-Slow: ');
    expect(await stillOpenAfter(connections, REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS)).toBe(0);
    const lastClosed = Math.max(...(await Promise.all(connections.map((c) => c.closed))));
    expect(lastClosed - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(connections.map((c) => c.statuses())).toEqual(connections.map(() => [408]));
    expect(rssMb(app.child.pid!) - rssBefore).toBeLessThan(30);
    expect((await get(url, 'api/public')).status).toBe(200);
  });

  it('answers HTTP_MAX_REQUESTS_PER_SOCKET pipelined requests, the last with connection: close, then closes the connection', async () => {
    const started = Date.now();
    const connection = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\n\r\n'.repeat(80));
    const closedAt = await within(connection.closed, 5_000);
    expect(connection.statuses()).toEqual(Array(50).fill(200));
    // Closed right after the last answer, not by the 1 s keep-alive timeout.
    expect(closedAt! - started).toBeLessThan(900);
    const answers = connection.received().split(/(?=HTTP\/1\.1 )/);
    expect(answers[49]).toMatch(/^connection: close\r$/im);
    expect(answers[48]).not.toMatch(/^connection: close\r$/im);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = rawConnection(url, 'GET /api/public HTTP/1.1\r\nHost: t\r\n\r\n');
    const started = Date.now();
    const closedAt = await within(connection.closed, 1_000 + TIMEOUT_SLACK_MS);
    expect(connection.statuses()).toEqual([200]);
    expect(closedAt).toBeDefined();
    expect(closedAt! - started).toBeGreaterThanOrEqual(900);
  });

  it('logs at most one request line, without a stack, for each of 300 aborted bodies', async () => {
    const before = app.output().length;
    for (let i = 0; i < 300; i += 25) {
      const batch = Array.from({ length: 25 }, () =>
        rawConnection(
          url,
          'POST /api/public HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
        ),
      );
      await Promise.all(batch.map((c) => c.connected));
      for (const c of batch) c.socket.destroy();
    }
    await sleep(500);
    const lines = logLines(app.output().slice(before));
    expect(lines.length).toBeLessThanOrEqual(300);
    // Each is the request's own line (413: the route takes no body), never a stack or a second line.
    expect(lines.filter((line) => !/"status":413.*"request completed"/.test(line))).toEqual([]);
  });
});

describe('HTTP server limits on the route that takes a body (development token endpoint)', () => {
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    app = startMain({
      PORT: String(port),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_BODY_LIMIT_BYTES: '4096',
      HTTP_MAX_CONNECTIONS: '250',
    });
    await app.waitFor(/Listening on/);
  });

  afterAll(() => app?.stop());

  const tokenRequest = (length: number, sent: string) =>
    `POST /dev/oauth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${sent}`;

  it('answers 408 and closes 200 connections whose bodies never finish, with bounded memory', async () => {
    const request = tokenRequest(4000, `{"scope":"${'a'.repeat(3000)}`);
    const rssBefore = await rssAfterWarmUp(
      app.child.pid!,
      url,
      [request],
      REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS,
    );
    const connections = await openMany(url, 200, request);
    expect(await stillOpenAfter(connections, REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS)).toBe(0);
    expect(connections.map((c) => c.statuses())).toEqual(connections.map(() => [408]));
    expect(rssMb(app.child.pid!) - rssBefore).toBeLessThan(30);
  });

  it('refuses a body over HTTP_BODY_LIMIT_BYTES with 413 before reading it, and still issues tokens', async () => {
    const connection = rawConnection(url, tokenRequest(5000, '{"scope":"'));
    expect(await within(connection.closed, 5_000)).toBeDefined();
    expect(connection.statuses()).toEqual([413]);
    const response = await fetch(new URL('dev/oauth/token', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'read:messages' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
  });

  it('logs at most one line, without a stack, for each of 300 aborted bodies', async () => {
    const before = app.output().length;
    for (let i = 0; i < 300; i += 25) {
      const batch = Array.from({ length: 25 }, () =>
        rawConnection(url, tokenRequest(1000, '{"scope":')),
      );
      await Promise.all(batch.map((c) => c.connected));
      await sleep(20); // let the server start reading the body before the client goes away
      for (const c of batch) c.socket.destroy();
    }
    await sleep(1_000);
    const lines = logLines(app.output().slice(before));
    expect(lines.length).toBeGreaterThan(0); // development logs debug lines: the aborts are seen
    expect(lines.length).toBeLessThanOrEqual(300);
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
    // The request's own line names the abort; with request logs off it is the server's debug line.
    expect(
      lines.filter(
        (line) =>
          !/"clientError":"(ECONNRESET|ECONNABORTED|ERR_STREAM_PREMATURE_CLOSE)"/.test(line) &&
          !/request completed/.test(line),
      ),
    ).toEqual([]);
  });

  it('closes connections beyond HTTP_MAX_CONNECTIONS as they arrive, and serves again once they go', async () => {
    const connections = await openMany(url, 300, Buffer.alloc(0));
    await sleep(1_000);
    const closedByServer = connections.filter((c) => c.isClosed()).length;
    expect(closedByServer).toBeGreaterThanOrEqual(50);
    for (const c of connections) c.socket.destroy();
    await sleep(300);
    expect((await get(url, 'api/public')).status).toBe(200);
  });
});
