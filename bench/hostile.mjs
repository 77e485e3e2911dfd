// node bench/hostile.mjs [--probe bodies,pipeline,aborted,sigterm,badsig] [--sockets 300] [--env NAME=value]... [--main dist/main.js]
// Hostile-client probes of issue 13, scaled to finish in well under a minute each: starts the built app
// (NODE_ENV=production) against a local issuer, attacks it over loopback and prints what it measured
// (RSS, sockets the server closed, fresh-connection latency, log lines, exit codes). Every loop is bounded
// in count and time; run it under the bench lock: flock /tmp/bench.lock node bench/hostile.mjs.
import { spawn } from 'node:child_process';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    probe: { type: 'string', default: 'bodies,pipeline,aborted,sigterm' },
    sockets: { type: 'string', default: '300' },
    'body-bytes': { type: 'string', default: '1048576' },
    'pipeline-sockets': { type: 'string', default: '20' },
    'pipeline-requests': { type: 'string', default: '20000' },
    aborted: { type: 'string', default: '300' },
    'flood-connections': { type: 'string', default: '50' },
    'flood-seconds': { type: 'string', default: '10' },
    env: { type: 'string', multiple: true, default: [] },
    main: { type: 'string', default: 'dist/main.js' },
  },
});
const extraEnv = Object.fromEntries(args.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
const say = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
if (!existsSync(args.main)) throw new Error(`${args.main} is missing: npm run build first`);

// --- a local issuer (discovery + JWKS) so that the app starts as in production -------------------
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
let issuerUrl = '';
const issuer = createServer((req, res) => {
  const body =
    req.url === '/.well-known/openid-configuration'
      ? { issuer: issuerUrl, jwks_uri: `${issuerUrl}.well-known/jwks.json` }
      : { keys: [jwk] };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise((resolve) => issuer.listen(0, '127.0.0.1', resolve));
issuerUrl = `http://127.0.0.1:${issuer.address().port}/`;

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts `node dist/main.js` in production mode; resolves once it listens. */
async function startApp() {
  const port = await freePort();
  const child = spawn(process.execPath, [args.main], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_ISSUER_URL: issuerUrl,
      AUTH_AUDIENCE: AUDIENCE,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const started = Date.now();
  while (!/Listening on/.test(output)) {
    if (Date.now() - started > 20_000 || child.exitCode !== null)
      throw new Error(`app did not start:\n${output}`);
    await sleep(50);
  }
  return { child, port, exited, output: () => output, cwd: process.cwd() };
}

function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

/** Opens a socket; tracks whether the server closed it and the status lines it answered. */
function open(port) {
  const socket = connect(port, '127.0.0.1');
  const state = { socket, closed: false, statuses: [], bytes: 0 };
  let tail = '';
  socket.on('data', (chunk) => {
    state.bytes += chunk.length;
    const text = tail + chunk.toString('latin1');
    for (const m of text.matchAll(/HTTP\/1\.1 (\d{3})/g)) state.statuses.push(Number(m[1]));
    tail = text.slice(-16);
  });
  socket.on('error', () => {});
  socket.on('close', () => (state.closed = true));
  return state;
}

const connected = (s) =>
  new Promise((resolve) => {
    s.socket.once('connect', resolve);
    s.socket.once('error', resolve);
  });

/** Time to a full answer to `GET /api/public` on a fresh connection, in ms (NaN after 10 s). */
async function freshLatency(port) {
  const started = performance.now();
  const s = open(port);
  s.socket.write('GET /api/public HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n');
  const deadline = Date.now() + 10_000;
  while (!s.closed && Date.now() < deadline) await sleep(1);
  s.socket.destroy();
  return s.statuses[0] === 200 ? performance.now() - started : NaN;
}

const median = (xs) => {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
};
const count = (xs, f) => xs.filter(f).length;
const histogram = (xs) =>
  Object.entries(
    xs.reduce((h, x) => {
      h[x] = (h[x] ?? 0) + 1;
      return h;
    }, {}),
  )
    .map(([k, v]) => `${k}×${v}`)
    .join(' ') || 'none';

async function stopApp(app) {
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await app.exited;
}

// --- probes -------------------------------------------------------------------------------------

async function bodies() {
  const app = await startApp();
  const n = Number(args.sockets);
  const size = Number(args['body-bytes']);
  await sleep(500);
  const before = rssMb(app.child.pid);
  const payload = Buffer.alloc(size - 1, 0x61);
  const sockets = [];
  let peak = before;
  for (let i = 0; i < n; i += 1) {
    const s = open(app.port);
    sockets.push(s);
    s.socket.write(
      `POST /api/public HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
    );
    s.socket.write(payload);
    if (i % 50 === 49) {
      await sleep(20);
      peak = Math.max(peak, rssMb(app.child.pid));
    }
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && sockets.some((s) => !s.closed && s.socket.writableLength > 0)) {
    peak = Math.max(peak, rssMb(app.child.pid));
    await sleep(100);
  }
  await sleep(1_000);
  peak = Math.max(peak, rssMb(app.child.pid));
  const openAfter = count(sockets, (s) => !s.closed);
  say(
    `bodies: ${n} sockets × POST /api/public (JSON) Content-Length ${size}, all but the last byte sent: RSS ${before} MB -> peak ${peak} MB (+${peak - before}); ` +
      `answers: ${histogram(sockets.flatMap((s) => s.statuses))}; still open after the bodies were sent + 1 s: ${openAfter}/${n}`,
  );
  const waitMs = Number(extraEnv.HTTP_REQUEST_TIMEOUT_MS ?? 0) + 2_000;
  if (openAfter > 0 && waitMs > 2_000 && waitMs < 40_000) {
    await sleep(waitMs);
    say(
      `bodies: still open ${waitMs} ms later: ${count(sockets, (s) => !s.closed)}/${n}; answers: ${histogram(sockets.flatMap((s) => s.statuses))}`,
    );
  }
  for (const s of sockets) s.socket.destroy();
  await stopApp(app);
}

async function pipeline() {
  const app = await startApp();
  const n = Number(args['pipeline-sockets']);
  const perSocket = Number(args['pipeline-requests']);
  await sleep(500);
  const baseline = [];
  for (let i = 0; i < 10; i += 1) baseline.push(await freshLatency(app.port));
  const before = rssMb(app.child.pid);
  const batch = Buffer.from('GET /api/public HTTP/1.1\r\nHost: probe\r\n\r\n'.repeat(perSocket));
  const sockets = [];
  for (let i = 0; i < n; i += 1) {
    const s = open(app.port);
    sockets.push(s);
    s.socket.write(batch);
    s.socket.pause(); // never read the answers, as the attacker in the issue
  }
  const during = [];
  let peak = before;
  const until = Date.now() + 15_000;
  while (Date.now() < until && during.length < 40) {
    during.push(await freshLatency(app.port));
    peak = Math.max(peak, rssMb(app.child.pid));
    await sleep(100);
  }
  for (const s of sockets) s.socket.resume();
  await sleep(1_000);
  const answered = sockets.map((s) => s.statuses.length);
  say(
    `pipeline: fresh-connection GET /api/public median ${median(baseline).toFixed(1)} ms before; while ${n} sockets pipeline ${perSocket} GETs each (answers unread): ` +
      `median ${median(during).toFixed(1)} ms, max ${Math.max(...during.filter((x) => !Number.isNaN(x))).toFixed(1)} ms, timed out ${count(during, Number.isNaN)}/${during.length}; ` +
      `RSS ${before} -> peak ${peak} MB; answers per pipelining socket (read afterwards for 1 s): median ${median(answered)}, statuses ${histogram(sockets.flatMap((s) => s.statuses))}; closed by the server: ${count(sockets, (s) => s.closed)}/${n}`,
  );
  for (const s of sockets) s.socket.destroy();
  await stopApp(app);
}

async function aborted() {
  const app = await startApp();
  const n = Number(args.aborted);
  await sleep(500);
  const linesBefore = app.output().split('\n').length;
  for (let i = 0; i < n; i += 1) {
    const s = open(app.port);
    await connected(s);
    const path = i % 2 === 0 ? '/api/public' : '/nowhere';
    s.socket.write(
      `POST ${path} HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`,
    );
    await sleep(5);
    s.socket.destroy();
  }
  await sleep(1_500);
  const lines = app
    .output()
    .split('\n')
    .slice(linesBefore - 1);
  say(
    `aborted: ${n} aborted bodies (POST, half to /api/public, half to /nowhere): ${lines.filter((l) => l.trim()).length} log lines, ` +
      `${count(lines, (l) => /^\s+at /.test(l))} stack-frame lines, ${count(lines, (l) => /Error: aborted/.test(l))} "Error: aborted"`,
  );
  await stopApp(app);
}

async function sigterm(kind) {
  const app = await startApp();
  let holder;
  if (kind !== 'idle') {
    holder = open(app.port);
    await connected(holder);
    holder.socket.write(
      kind === 'half-body'
        ? 'POST /dev/oauth/token HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"scope":'
        : 'GET /api/public HTTP/1.1\r\nHost: probe\r\n',
    );
    await sleep(200);
  }
  const sent = Date.now();
  app.child.kill('SIGTERM');
  const first = await Promise.race([app.exited, sleep(15_000).then(() => undefined)]);
  let line = `sigterm (${kind}): `;
  if (first) {
    line += `exited after ${first.at - sent} ms, code ${first.code}, signal ${first.signal}`;
  } else {
    line += 'still running 15 s after SIGTERM; ';
    const second = Date.now();
    app.child.kill('SIGTERM');
    const again = await Promise.race([app.exited, sleep(3_000).then(() => undefined)]);
    line += again
      ? `a second SIGTERM ended it after ${again.at - second} ms, code ${again.code}, signal ${again.signal}`
      : 'a second SIGTERM did nothing within 3 s (SIGKILL)';
  }
  say(line);
  holder?.socket.destroy();
  await stopApp(app);
}

async function secondSignal() {
  const app = await startApp();
  const holder = open(app.port);
  await connected(holder);
  holder.socket.write('GET /api/public HTTP/1.1\r\nHost: probe\r\n');
  await sleep(200);
  app.child.kill('SIGTERM');
  await sleep(500);
  const sent = Date.now();
  app.child.kill('SIGINT');
  const result = await Promise.race([app.exited, sleep(5_000).then(() => undefined)]);
  say(
    `second signal (SIGTERM, then SIGINT 0.5 s later, one half-sent request): ${
      result
        ? `exited ${result.at - sent} ms after the second, code ${result.code}, signal ${result.signal}`
        : 'still running 5 s after the second signal'
    }`,
  );
  holder.socket.destroy();
  await stopApp(app);
}

const AUDIENCE = 'https://probe.example/api';

/** An RS256 access token for the local issuer, signed by `key` (another key makes a bad signature). */
function token(sub, key = privateKey) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${part({ iss: issuerUrl, aud: AUDIENCE, sub, iat: now, exp: now + 600 })}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** One GET through `agent`; its status and time to the whole answer, in ms. */
function timedGet(agent, port, path, bearer) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${bearer}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};

/** The server process's CPU time so far, in ms (utime + stime of /proc/PID/stat, 100 ticks a second). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * A legitimate client (127.0.0.1, one connection, a token verified once) measured alone, then
 * while `--flood-connections` keep-alive connections from another address (127.0.0.2) send tokens
 * with a bad signature for `--flood-seconds`: its p99, the server's CPU, the answers the flood got
 * and the log bytes it cost.
 */
async function badsig() {
  const app = await startApp();
  const seconds = Number(args['flood-seconds']);
  const legit = new Agent({ keepAlive: true, maxSockets: 1 });
  const good = token('legit-client');
  const measureLegit = async (ms) => {
    const latencies = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const { status, ms: took } = await timedGet(legit, app.port, '/api/private', good);
      if (status !== 200) throw new Error(`the legitimate client got ${status}`);
      latencies.push(took);
    }
    return latencies;
  };
  await measureLegit(1_000);
  const alone = await measureLegit(3_000);
  const flood = new Agent({
    keepAlive: true,
    maxSockets: Number(args['flood-connections']),
    localAddress: '127.0.0.2',
  });
  const bad = token('attacker', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const statuses = [];
  const logBefore = app.output().length;
  const cpuBefore = cpuMs(app.child.pid);
  const floodEnds = Date.now() + seconds * 1000;
  const flooders = Array.from({ length: Number(args['flood-connections']) }, async () => {
    while (Date.now() < floodEnds)
      statuses.push((await timedGet(flood, app.port, '/api/private', bad)).status);
  });
  const during = await measureLegit(seconds * 1000);
  await Promise.all(flooders);
  const cpu = cpuMs(app.child.pid) - cpuBefore;
  // The log lines of refused requests (the legitimate client's own 200 lines are left out).
  const refusedLogBytes = app
    .output()
    .slice(logBefore)
    .split('\n')
    .filter((line) => /"status":(401|429)/.test(line))
    .reduce((bytes, line) => bytes + line.length + 1, 0);
  say(
    `badsig: legitimate client p99 ${percentile(alone, 0.99).toFixed(1)} ms alone (${alone.length} requests), ` +
      `${percentile(during, 0.99).toFixed(1)} ms during the flood (${during.length} requests, p50 ${percentile(during, 0.5).toFixed(1)} ms); ` +
      `flood of ${Number(args['flood-connections'])} connections for ${seconds} s: ${statuses.length} requests answered ${histogram(statuses)}, ` +
      `server CPU ${(cpu / 1000).toFixed(1)} s, log of refused requests ${(refusedLogBytes / 1024).toFixed(0)} KiB`,
  );
  legit.destroy();
  flood.destroy();
  await stopApp(app);
}

const probes = new Set(args.probe.split(','));
say(`hostile probes, server env: ${JSON.stringify(extraEnv)}`);
if (probes.has('bodies')) await bodies();
if (probes.has('pipeline')) await pipeline();
if (probes.has('aborted')) await aborted();
if (probes.has('badsig')) await badsig();
if (probes.has('sigterm')) {
  await sigterm('idle');
  await sigterm('half-headers');
  await sigterm('half-body');
  await secondSignal();
}
issuer.close();
