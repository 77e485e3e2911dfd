// npm run bench: starts the built app (NODE_ENV=production) against a local issuer, and beside it
// a bare Nest + Fastify app (bench/bare-app.mjs) on the same core; drives each scenario with wrk
// (autocannon when wrk cannot be had) from a separate process, and prints one table of server CPU
// per request and p99, each as a multiple of the bare app's public route measured in the same run,
// and the raw cost of an RS256 verification. `--features` adds what each per-request feature costs.
// See docs/PERFORMANCE.md.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '12' },
    warmup: { type: 'string', default: '3' },
    settle: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    tokens: { type: 'string', default: '10000' },
    // No default here: --features replaces the default set, not one given explicitly.
    scenarios: { type: 'string' },
    features: { type: 'boolean', default: false },
    'features-only': { type: 'string' },
    json: { type: 'string', default: 'bench/results/latest.json' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'token-cache': { type: 'string', default: '16384' },
    generator: { type: 'string', default: 'auto' },
    'server-env': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});
const DEFAULT_SCENARIOS =
  'bare-public,bare-private-10k,public,public-quiet,private,private-10k,private-10k-nocache,private-scoped,invalid,invalid-sig,no-token';
if (args.help) {
  process.stdout.write(
    'npm run bench -- [--duration 12] [--rounds 3] [--warmup 3] [--connections 50] [--tokens 10000]\n' +
      '  (each scenario: warm-up, then duration/rounds seconds in each of the interleaved rounds)\n' +
      '  [--settle 1]   seconds of unmeasured load on a scenario just before each of its measured runs\n' +
      `  [--scenarios ${DEFAULT_SCENARIOS}]\n` +
      '     (bare-public, the baseline, always runs; so can the variants of --features: public/ID-off)\n' +
      '  [--features]   also public and private-10k with one per-request feature off at a time\n' +
      '  [--features-only ID,...]   with --features, only these (the id column of its table)\n' +
      '  [--json bench/results/latest.json] [--no-build] [--cpu-prof DIR]\n' +
      '  [--token-cache N]   AUTH_TOKEN_CACHE_MAX_ENTRIES of the server (0: cache off)\n' +
      '  [--generator auto|wrk|autocannon]   auto: wrk, installed with apt-get when missing and possible\n' +
      "  [--server-env KEY=VALUE]...   extra environment for the app's servers (repeatable; not\n" +
      "     the bare app's); BENCH_FEATURE_OFF=ID,... loads bench/feature-off/preload.mjs\n",
  );
  process.exit(0);
}
const durationSec = Number(args.duration);
const rounds = Number(args.rounds);
const warmupSec = Number(args.warmup);
const settleSec = Number(args.settle);
const connections = Number(args.connections);
const tokenCount = Number(args.tokens);
const say = (line) => process.stderr.write(`${line}\n`);
const serverEnv = {};
for (const pair of args['server-env']) {
  const at = pair.indexOf('=');
  if (at <= 0) {
    say(`--server-env takes KEY=VALUE, got ${JSON.stringify(pair)}`);
    process.exit(2);
  }
  serverEnv[pair.slice(0, at)] = pair.slice(at + 1);
}

// --- load generator --------------------------------------------------------------------------------
// wrk (C, one thread) drives this server with a fraction of a core; autocannon's single Node process
// tops out near 10k requests/s on this machine, so with it the public baseline is the generator's limit.
const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;
function installWrk() {
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!asRoot && !sudo) return 'not root and no password-less sudo';
  const run = (command) =>
    spawnSync(sudo ? 'sudo' : command[0], sudo ? ['-n', ...command] : command.slice(1), {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status;
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', 'wrk'];
  say('wrk is missing: installing the Debian package wrk ...');
  if (run(install) !== 0 && (run(['apt-get', 'update']) !== 0 || run(install) !== 0)) {
    return 'apt-get install wrk failed';
  }
  return hasWrk() ? undefined : 'wrk still not found after apt-get install';
}
let generator = args.generator;
let generatorNote = '';
if (generator === 'auto' || generator === 'wrk') {
  const why = hasWrk() ? undefined : installWrk();
  if (why === undefined) generator = 'wrk';
  else if (args.generator === 'wrk') {
    say(`--generator wrk: ${why}; install it with: apt-get install wrk`);
    process.exit(2);
  } else {
    generator = 'autocannon';
    generatorNote = `wrk could not be had (${why}; install it with: sudo apt-get install wrk), so autocannon drives the load: its single Node process tops out near 10k requests/s, so the figures, the public baseline first, are its limit rather than the server's`;
    say(`\n!!! ${generatorNote.toUpperCase()} !!!\n`);
  }
} else if (generator === 'autocannon') {
  generatorNote =
    "autocannon was asked for (--generator autocannon): its single Node process tops out near 10k requests/s, so the figures, the public baseline first, may be its limit rather than the server's";
} else {
  say(`--generator takes auto, wrk or autocannon, got ${JSON.stringify(generator)}`);
  process.exit(2);
}
say(`load generator: ${generator}`);

// --- build -------------------------------------------------------------------------------------
// Built every time unless told not to: a stale dist/ would measure old code.
if (!args['no-build'] || !existsSync('dist/main.js')) {
  say('building dist/ ...');
  const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// --- a local issuer: discovery + JWKS on 127.0.0.1, and tokens minted here ------------------------
const audience = 'https://bench.example/api';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
let issuerUrl = '';
const issuer = createServer((req, res) => {
  const body =
    req.url === '/.well-known/openid-configuration'
      ? { issuer: issuerUrl, jwks_uri: `${issuerUrl}.well-known/jwks.json` }
      : req.url === '/.well-known/jwks.json'
        ? { keys: [jwk] }
        : undefined;
  if (body === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise((resolve) => issuer.listen(0, '127.0.0.1', resolve));
issuerUrl = `http://127.0.0.1:${issuer.address().port}/`;

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid });
function mint(claims, key = privateKey) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${header}.${b64({ iss: issuerUrl, aud: audience, iat: now, exp: now + 3600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
say(`minting ${tokenCount} tokens ...`);
const oneToken = mint({ sub: 'bench|one' });
const scopedToken = mint({ sub: 'bench|scoped', scope: 'read:messages' });
const manyTokens = Array.from({ length: tokenCount }, (_, i) =>
  mint({ sub: `bench|${i}`, jti: randomUUID() }),
);
// Valid-looking tokens whose signature belongs to another token: the 401 path under attack.
const invalidTokens = manyTokens.map((t, i) => {
  const other = manyTokens[(i + 1) % manyTokens.length];
  return `${t.slice(0, t.lastIndexOf('.'))}${other.slice(other.lastIndexOf('.'))}`;
});
// Well-formed tokens naming the issuer's kid, signed with an attacker's key: a forgery flood.
const { privateKey: foreignKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forgedTokens = Array.from({ length: tokenCount }, (_, i) =>
  mint({ sub: `forged|${i}`, jti: randomUUID() }, foreignKey),
);
const work = join(tmpdir(), `bench-${process.pid}`);
mkdirSync(work, { recursive: true });
function tokenFiles(name, tokens) {
  // JSON for autocannon's driver, one token a line for wrk's script.
  writeFileSync(join(work, `${name}.json`), JSON.stringify(tokens));
  writeFileSync(join(work, `${name}.txt`), `${tokens.join('\n')}\n`);
  return { tokensFile: join(work, `${name}.json`), tokensTextFile: join(work, `${name}.txt`) };
}

// --- the servers, pinned to core 0; the load generator gets core 1 ------------------------------
const cores = availableParallelism();
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const pin = hasTaskset && cores >= 2;
const pinned = (core, command) =>
  pin ? ['taskset', ['-c', String(core), ...command]] : [command[0], command.slice(1)];
// This process too (the issuer it serves, the servers' output it drains) stays off the server's core.
if (pin) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address();
      probe.close(() => resolve(p));
    });
  });
const nodeArgs = args['cpu-prof'] ? [`--cpu-prof`, `--cpu-prof-dir=${args['cpu-prof']}`] : [];
const procStat = (pid, pattern) => {
  try {
    return readFileSync(`/proc/${pid}/${pattern}`, 'utf8');
  } catch {
    return '';
  }
};

/** Every server started, so that none is left behind holding a share of the core. */
const children = new Set();
// Also on an early exit (a server that did not start): no server, tokens or databases left behind.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/**
 * Starts `node dist/main.js` with these variables on top of the common ones (or, with `bare`, the
 * bare app: the same node, core and address, nothing else); resolves once it listens. Its data
 * directory is a copy of `dataTemplate` when given (an initialised embedded database).
 */
async function startServer(extraEnv, { dataTemplate, bare = false } = {}) {
  const port = await freePort();
  const dataDir = join(work, `data-${port}`);
  if (dataTemplate !== undefined) cpSync(dataTemplate, dataDir, { recursive: true });
  const common = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port) };
  const env = bare
    ? { ...common, HOST: '127.0.0.1' }
    : {
        ...common,
        HOST: '127.0.0.1',
        AUTH_ISSUER_URL: issuerUrl,
        AUTH_AUDIENCE: audience,
        AUTH_TOKEN_CACHE_MAX_ENTRIES: args['token-cache'],
        NO_COLOR: '1',
        // Each server its own embedded user database: one data directory serves one process.
        DATA_DIR: dataDir,
        ...serverEnv,
        ...extraEnv,
      };
  // A feature the app has no setting for is turned off by a preload (bench/feature-off/).
  const preload = env.BENCH_FEATURE_OFF ? ['--import=./bench/feature-off/preload.mjs'] : [];
  const script = bare ? 'bench/bare-app.mjs' : 'dist/main.js';
  const [serverCmd, serverArgs] = pinned(0, [process.execPath, ...nodeArgs, ...preload, script]);
  const child = spawn(serverCmd, serverArgs, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let output = '';
  const collect = (chunk) => (output += chunk);
  child.stdout.on('data', collect);
  // The primer runs the embedded database's initdb: 5-10 s on a quiet machine, 30 s and more on a busy one.
  const deadline = Date.now() + 120_000;
  // Its "Listening on" line, or (when LOG_LEVEL hides that line) an answer on its port.
  const answers = () =>
    fetch(`http://127.0.0.1:${port}/api/public`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
  while (!/Listening on/.test(output) && !(await answers())) {
    if (Date.now() > deadline || child.exitCode !== null) {
      say(`server did not start:\n${output}`);
      // Not left behind holding its port, its data directory and a share of the core.
      child.kill('SIGKILL');
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // From here on its output (one request-log line per request) is drained and dropped: kept, it grew
  // this process with every request (at most 185 MB against 132 for `--scenarios public,private,no-token`).
  child.stdout.off('data', collect);
  child.stdout.on('data', () => {});

  // The server process itself (taskset execs node, so the pid is node's).
  const server = { child, base: `http://127.0.0.1:${port}`, env: extraEnv, bare };
  server.rssMb = () => {
    const kb = /VmRSS:\s+(\d+)/.exec(procStat(child.pid, 'status'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  };
  server.cpuSec = () => {
    const stat = procStat(child.pid, 'stat');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  server.idleRssMb = server.rssMb();
  server.peakRssMb = server.idleRssMb;
  return server;
}

// --- scenarios ----------------------------------------------------------------------------------
const cacheOff = { AUTH_TOKEN_CACHE_MAX_ENTRIES: '0' };
// The same build without request logs and metrics, on a server of its own: what they cost public.
const quiet = { LOG_REQUESTS: 'false', METRICS_ENABLED: 'false' };
const many = tokenFiles('many', manyTokens);
/** The baseline: every scenario is reported as a multiple of this one, round by round. */
const BARE = 'bare-public';
const scenarios = {
  [BARE]: { bare: true, path: '/api/public', expect: 200 },
  // The request private-10k sends (10 000 tokens in turn), to a route that reads none of it.
  'bare-private-10k': { bare: true, path: '/api/private', ...many, expect: 200 },
  public: { path: '/api/public', expect: 200 },
  'public-quiet': { path: '/api/public', serverEnv: quiet, expect: 200 },
  private: { path: '/api/private', authorization: `Bearer ${oneToken}`, expect: 200 },
  'private-10k': { path: '/api/private', ...many, expect: 200 },
  // The full path on every request: the first sight of every token, or a server without the cache.
  'private-10k-nocache': { path: '/api/private', ...many, serverEnv: cacheOff, expect: 200 },
  'private-scoped': {
    path: '/api/private-scoped',
    authorization: `Bearer ${scopedToken}`,
    expect: 200,
  },
  invalid: { path: '/api/private', ...tokenFiles('invalid', invalidTokens), expect: 401 },
  'invalid-sig': { path: '/api/private', ...tokenFiles('forged', forgedTokens), expect: 401 },
  'no-token': { path: '/api/private', expect: 401 },
};

/**
 * The per-request features of the app, and how `--features` turns each one off (CORS, off by
 * default, on): by its setting where the app has one, else by bench/feature-off/preload.mjs.
 */
const FEATURES = [
  {
    id: 'log-line',
    name: 'request log line (built and written)',
    off: { LOG_LEVEL: 'warn' },
    how: 'LOG_LEVEL=warn (the line is neither built nor written)',
  },
  {
    id: 'log-requests',
    name: 'request log line + X-Request-Id',
    off: { LOG_REQUESTS: 'false' },
    how: 'LOG_REQUESTS=false',
  },
  {
    id: 'metrics',
    name: 'metrics',
    off: { METRICS_ENABLED: 'false' },
    how: 'METRICS_ENABLED=false',
  },
  {
    id: 'cors',
    name: 'CORS (requests without Origin)',
    on: { CORS_ORIGINS: 'https://app.example.com' },
    how: 'off by default: measured on, CORS_ORIGINS=https://app.example.com',
  },
  ...[
    ['security-headers', 'security headers'],
    ['user-provisioning', 'user provisioning'],
    ['global-guard', 'global guard (protectAllRoutes)'],
    ['server-limits', 'server limits adapter'],
    ['exception-filters', 'exception filters'],
  ].map(([id, name]) => ({
    id,
    name,
    off: { BENCH_FEATURE_OFF: id },
    how: `no setting: BENCH_FEATURE_OFF=${id} (preload)`,
    missing: true,
  })),
  {
    id: 'embedded-database',
    name: 'embedded database (PGlite)',
    how: 'no setting, and no preload: the users module needs a database',
    missing: true,
  },
];
/** The scenarios whose cost --features splits by feature. */
const FEATURE_BASES = ['public', 'private-10k'];
const variantOf = (base, feature) => `${base}/${feature.id}-${feature.on ? 'on' : 'off'}`;
for (const feature of FEATURES.filter((f) => f.on ?? f.off)) {
  for (const base of FEATURE_BASES) {
    scenarios[variantOf(base, feature)] = {
      ...scenarios[base],
      serverEnv: { ...scenarios[base].serverEnv, ...(feature.on ?? feature.off) },
    };
  }
}
const onlyFeatures = args['features-only']?.split(',');
const unknownFeatures = (onlyFeatures ?? []).filter((id) => !FEATURES.some((f) => f.id === id));
if (unknownFeatures.length > 0) {
  say(`unknown feature ${unknownFeatures}; known: ${FEATURES.map((f) => f.id).join(', ')}`);
  process.exit(2);
}
const measuredFeatures = args.features
  ? FEATURES.filter((f) => (f.on ?? f.off) && (onlyFeatures?.includes(f.id) ?? true))
  : [];

const names = [
  ...new Set([
    BARE,
    ...(args.scenarios ?? (args.features ? '' : DEFAULT_SCENARIOS)).split(',').filter(Boolean),
    ...(args.features ? FEATURE_BASES : []),
    ...measuredFeatures.flatMap((f) => FEATURE_BASES.map((base) => variantOf(base, f))),
  ]),
];
for (const name of names) {
  if (!scenarios[name]) {
    say(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
}
// One server per distinct environment; public and the cached scenarios share the first. Only one
// is under load at a time, all on the same core.
// The embedded user database's first start (its initdb) costs seconds and leaves the process near
// 700 MB; a deployed server starts on an existing data directory. So one server initialises a data
// directory and stops, and every measured server starts on a copy of it.
const dataTemplate = join(work, 'data-template');
{
  const primer = await startServer({ DATA_DIR: dataTemplate });
  primer.child.kill('SIGTERM');
  await new Promise((resolve) => primer.child.on('exit', resolve));
}
const servers = new Map();
for (const name of names) {
  const { bare = false, serverEnv: env = {} } = scenarios[name];
  const key = bare ? 'bare' : JSON.stringify(env);
  if (!servers.has(key)) {
    servers.set(key, await startServer(env, bare ? { bare } : { dataTemplate }));
  }
  scenarios[name].server = servers.get(key);
}
const sampler = setInterval(() => {
  for (const server of servers.values()) {
    const now = server.rssMb();
    if (now > server.peakRssMb) server.peakRssMb = now;
  }
}, 100);

async function load(scenario, seconds, { amount, countStatuses = false } = {}) {
  const { server } = scenario;
  const [cmd, cmdArgs] = pinned(1, [
    process.execPath,
    'bench/load.mjs',
    JSON.stringify({
      generator,
      url: `${server.base}${scenario.path}`,
      connections,
      durationSec: seconds,
      amount,
      countStatuses,
      authorization: scenario.authorization,
      tokensFile: scenario.tokensFile,
      tokensTextFile: scenario.tokensTextFile,
    }),
  ]);
  const cpuBefore = server.cpuSec();
  const started = process.hrtime.bigint();
  // Asynchronous, so that this process keeps serving the JWKS and sampling the servers' memory meanwhile.
  const result = await new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()))
        : reject(new Error(`load generator exited with ${code}`)),
    );
  });
  const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCpuSec = server.cpuSec() - cpuBefore;
  // Includes the generator's start-up, when the server idles: a slight understatement.
  result.serverCpuPct = (100 * serverCpuSec) / elapsedSec;
  // The server's own CPU time per request: what a request costs whatever share of the core the
  // server got on a shared machine (10 ms resolution: a few percent on a round of seconds).
  result.serverCpuUsPerReq = (1e6 * serverCpuSec) / Math.max(result.total, 1);
  return result;
}

// The raw cost of what a first sight cannot skip: one RS256 verification with node:crypto (2048-bit
// key), in this process, as CPU time like the servers' figures. Rounds of RS256_BATCH, a few before
// the load and one after each measured round (when no load runs), then the median.
const RS256_BATCH = 200;
const signedPart = Buffer.from(oneToken.slice(0, oneToken.lastIndexOf('.')));
const signature = Buffer.from(oneToken.slice(oneToken.lastIndexOf('.') + 1), 'base64url');
/** CPU µs per verification over one round of RS256_BATCH. */
function rs256RoundUs() {
  const before = process.cpuUsage();
  for (let i = 0; i < RS256_BATCH; i += 1) {
    if (!verify('sha256', signedPart, publicKey, signature)) throw new Error('RS256 check failed');
  }
  const { user, system } = process.cpuUsage(before);
  return (user + system) / RS256_BATCH;
}
rs256RoundUs(); // warm-up
const rs256Rounds = [rs256RoundUs(), rs256RoundUs(), rs256RoundUs()];

// Interleaved rounds: every scenario once per round, the bare app's public route included, and each
// multiple taken against the bare public run of its own round, then the median over rounds. A drift
// of the shared machine then moves both sides of a multiple together instead of landing on
// whichever scenario ran at that moment.
const perRoundSec = Math.max(1, Math.round(durationSec / rounds));
// Runs outside the measured rounds count every status code (wrk: at a cost, so not while measuring).
const checks = Object.fromEntries(names.map((name) => [name, []]));
for (const name of names) {
  const scenario = scenarios[name];
  say(`${name}: warm-up ${warmupSec} s ...`);
  if (warmupSec > 0) checks[name].push(await load(scenario, warmupSec, { countStatuses: true }));
  // Scenarios that rotate tokens are measured warm: every token presented once first (the cold pass
  // is what the invalid scenarios measure, a full verification per request).
  if (scenario.tokensFile) {
    checks[name].push(await load(scenario, 0, { amount: tokenCount, countStatuses: true }));
  }
}
const runs = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 1; round <= rounds; round += 1) {
  say(`round ${round}/${rounds}: ${perRoundSec} s per scenario at ${connections} connections ...`);
  for (const name of names) {
    // Each server sat idle while the other scenarios ran (tens of seconds in the default set), and runs
    // that began with that idle server had tails of 100-800 ms in every scenario, `public-quiet` (no
    // token, no logs) included, with the in-server latency under 20 ms (docs/PERFORMANCE.md, third
    // pass). Each measured run starts after `--settle` seconds of the same load, unmeasured.
    if (settleSec > 0) await load(scenarios[name], settleSec);
    runs[name].push(await load(scenarios[name], perRoundSec));
  }
  rs256Rounds.push(rs256RoundUs());
}
clearInterval(sampler);
for (const server of servers.values()) {
  server.finalRssMb = server.rssMb();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.on('exit', resolve));
}
issuer.close();
// Tokens and the servers' embedded databases.
rmSync(work, { recursive: true, force: true });

// --- report -------------------------------------------------------------------------------------
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Responses with another status than the scenario's, from the status counts when there are any. */
function unexpectedOf(result, expect) {
  if (result.statusCodes) {
    return Object.entries(result.statusCodes)
      .filter(([code]) => Number(code) !== expect)
      .reduce((n, [, s]) => n + s.count, 0);
  }
  // wrk's measured rounds count only statuses above 399.
  return expect < 400 ? result.non2xx : result.total - result.non2xx;
}
const GENERATOR_LIMIT_PCT = 60;
const bareRuns = runs[BARE];
/** `of(run, bare public run)` for each round of a scenario. */
const perRound = (name, of) => runs[name].map((r, i) => of(r, bareRuns[i]));
const range = (values) => [Math.min(...values), Math.max(...values)];
const rows = names.map((name) => {
  const rs = runs[name];
  const { expect } = scenarios[name];
  const unexpected = [...rs, ...checks[name]].reduce((n, r) => n + unexpectedOf(r, expect), 0);
  const cpuX = perRound(name, (r, b) => r.serverCpuUsPerReq / b.serverCpuUsPerReq);
  const p99X = perRound(name, (r, b) => r.p99Ms / b.p99Ms);
  const generatorCpuPct = Math.max(...rs.map((r) => r.generatorCpuPct));
  return {
    scenario: name,
    reqPerSec: Math.round(median(rs.map((r) => r.requestsPerSec))),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    p99X: median(p99X),
    p99XRange: range(p99X),
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    unexpectedStatus: unexpected + [...rs, ...checks[name]].reduce((n, r) => n + r.errors, 0),
    serverCpuPct: Math.round(median(rs.map((r) => r.serverCpuPct))),
    serverCpuUsPerReq: median(rs.map((r) => r.serverCpuUsPerReq)),
    cpuX: median(cpuX),
    cpuXRange: range(cpuX),
    generatorCpuPct: Math.round(generatorCpuPct),
    generatorSaturated: generatorCpuPct > GENERATOR_LIMIT_PCT,
  };
});
const pad = (s, n) => String(s).padStart(n);
const ms = (value) => (value >= 10 ? value.toFixed(0) : value.toFixed(1));
const us = (value) => value.toFixed(value >= 100 ? 0 : 1);
const times = (value) => `${value.toFixed(2)}×`;
const spread = ([low, high]) => `${low.toFixed(2)}–${high.toFixed(2)}`;
const lines = [
  `| scenario | req/s | p50 ms | p99 ms | p99 × bare (min–max) | server CPU | server µs/req | × bare by CPU (min–max) | 4xx/5xx | wrong status/errors | generator CPU (max) |`,
  `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${pad(r.reqPerSec, 7)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.p99X.toFixed(2)} (${spread(r.p99XRange)}) | ${r.serverCpuPct}% | ${us(r.serverCpuUsPerReq)} | ${r.cpuX.toFixed(2)} (${spread(r.cpuXRange)}) | ${r.non2xx} | ${r.unexpectedStatus} | ${r.generatorCpuPct}%${r.generatorSaturated ? ' SATURATED' : ''} |`,
  ),
];
const row = (name) => rows.find((r) => r.scenario === name);
const bare = row(BARE);
const rs256Us = median(rs256Rounds);
const appServers = [...servers.values()].filter((s) => !s.bare);
const peakRssMb = appServers.length > 0 ? Math.max(...appServers.map((s) => s.peakRssMb)) : NaN;

// --- targets: multiples of the bare app's public route, by server CPU per request, and its p99 ----
/** A scenario's CPU per request at most `max` times the bare public route's. */
const cpuTarget = (name, max, label = name) => {
  const target = `${label} ≤ ${max.toFixed(1)}× bare public by CPU`;
  const r = row(name);
  if (r === undefined) return [target, null];
  const detail = `${us(r.serverCpuUsPerReq)} against ${us(bare.serverCpuUsPerReq)} µs/req`;
  return [`${target} (${times(r.cpuX)}: ${detail})`, r.cpuX <= max];
};
/** The full path on every request costs at most the bare route and 2.5 raw RS256 checks. */
const firstSightTarget = () => {
  const name = 'private-10k-nocache';
  const target = 'first sight ≤ bare public + 2.5 × RS256';
  if (row(name) === undefined) return [target, null];
  // Per round: what the scenario costs above the bare route, in raw RS256 verifications.
  const overRs256 = median(
    perRound(name, (r, b) => (r.serverCpuUsPerReq - b.serverCpuUsPerReq) / rs256Us),
  );
  const limitUs = bare.serverCpuUsPerReq + 2.5 * rs256Us;
  return [
    `${target} (${name}: bare public + ${overRs256.toFixed(2)} × RS256; ${us(row(name).serverCpuUsPerReq)} µs/req against a limit of ${us(limitUs)} = ${us(bare.serverCpuUsPerReq)} + 2.5 × ${us(rs256Us)}, ${times(limitUs / bare.serverCpuUsPerReq)} bare)`,
    overRs256 <= 2.5,
  ];
};
const p99Target = (name) => {
  const target = `${name} p99 ≤ 2× bare public p99`;
  const r = row(name);
  if (r === undefined) return [target, null];
  return [`${target} (${times(r.p99X)}: ${ms(r.p99Ms)} against ${ms(bare.p99Ms)} ms)`, r.p99X <= 2];
};
const targets = [
  cpuTarget('public', 1.6),
  cpuTarget('private-10k', 2.0, 'private-10k (10 000 cached tokens)'),
  cpuTarget('private-scoped', 2.0),
  firstSightTarget(),
  ...['public', 'private-10k', 'private-scoped', 'private-10k-nocache'].map(p99Target),
  [
    `peak RSS of the app < 250 MB${appServers.length > 0 ? ` (${peakRssMb.toFixed(0)})` : ''}`,
    appServers.length > 0 ? peakRssMb < 250 : null,
  ],
];
const verdict = (ok) => (ok === null ? 'n/a    ' : ok ? 'met    ' : 'NOT MET');

// --- per-feature costs (--features) --------------------------------------------------------------
/** Server µs/request of one scenario's runs minus another's, round by round: median and range. */
function difference(more, less) {
  const diffs = runs[more].map((r, i) => r.serverCpuUsPerReq - runs[less][i].serverCpuUsPerReq);
  return { us: median(diffs), range: range(diffs) };
}
/** What a feature costs a scenario: with it on minus off. */
const featureCost = (feature, base) =>
  feature.on
    ? difference(variantOf(base, feature), base)
    : difference(base, variantOf(base, feature));
const featureRows = measuredFeatures.map((feature) => ({
  id: feature.id,
  name: feature.name,
  how: feature.how,
  missingSetting: feature.missing === true,
  costs: Object.fromEntries(FEATURE_BASES.map((base) => [base, featureCost(feature, base)])),
}));
const measured = (id) => measuredFeatures.some((f) => f.id === id);
if (measured('log-line') && measured('log-requests')) {
  // LOG_LEVEL=warn keeps the hook and the header; LOG_REQUESTS=false drops both with the line.
  const [line, both] = ['log-line', 'log-requests'].map((id) => FEATURES.find((f) => f.id === id));
  featureRows.push({
    id: '(derived)',
    name: 'X-Request-Id and the hook (no line)',
    how: 'no setting apart from the line: derived, LOG_LEVEL=warn minus LOG_REQUESTS=false',
    missingSetting: true,
    costs: Object.fromEntries(
      FEATURE_BASES.map((base) => [base, difference(variantOf(base, line), variantOf(base, both))]),
    ),
  });
}
const signed = (value) => `${value >= 0 ? '+' : '−'}${us(Math.abs(value))}`;
const featureLines = args.features
  ? [
      '',
      `Per-feature cost: server µs/request with the feature on minus off (median of the per-round differences, min–max); bare public ${us(bare.serverCpuUsPerReq)} µs/req`,
      '',
      `| feature | id | turned off with | ${FEATURE_BASES.map((b) => `${b} µs`).join(' | ')} |`,
      `|---|---|---|${FEATURE_BASES.map(() => '---:').join('|')}|`,
      ...featureRows.map(
        (f) =>
          `| ${f.name} | ${f.id} | ${f.how} | ${FEATURE_BASES.map((b) => `${signed(f.costs[b].us)} (${signed(f.costs[b].range[0])}…${signed(f.costs[b].range[1])})`).join(' | ')} |`,
      ),
      ...FEATURES.filter((f) => !(f.on ?? f.off)).map(
        (f) =>
          `| ${f.name} | ${f.id} | ${f.how} | ${FEATURE_BASES.map(() => 'not measured').join(' | ')} |`,
      ),
      '',
      `Missing settings in src/ (the bench stands in with bench/feature-off/preload.mjs where it can): ${[
        ...FEATURES.filter((f) => f.missing),
        { name: 'X-Request-Id apart from the request log line' },
      ]
        .map((f) => f.name)
        .join('; ')}`,
    ]
  : [];

const starved = rows.filter((r) => r.serverCpuPct < 90).map((r) => r.scenario);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}; servers (the app's and the bare app) ${pin ? 'pinned to core 0, load generator and bench process to core 1' : 'not pinned (taskset missing or one core)'}`;
const saturated = rows.filter((r) => r.generatorSaturated).map((r) => r.scenario);
process.stdout.write(
  [
    '',
    `Machine: ${machine}`,
    `Load generator: ${generator === 'wrk' ? 'wrk (one thread)' : 'autocannon (GENERATOR-BOUND, see the note below)'}`,
    `Load: ${connections} connections; per scenario ${warmupSec} s warm-up, then ${rounds} interleaved rounds of ${perRoundSec} s, each after ${settleSec} s of unmeasured load (medians; multiples of the ${BARE} run of the same round); ${tokenCount} distinct tokens`,
    `Baseline: ${BARE}, GET /api/public on bench/bare-app.mjs (Nest + Fastify, nothing else): ${us(bare.serverCpuUsPerReq)} µs/req, p99 ${ms(bare.p99Ms)} ms`,
    `RS256 verification (node:crypto verify, 2048-bit key, in the bench process): ${us(rs256Us)} µs CPU (median of ${rs256Rounds.length} rounds of ${RS256_BATCH}, ${us(Math.min(...rs256Rounds))}–${us(Math.max(...rs256Rounds))}), ${times(rs256Us / bare.serverCpuUsPerReq)} bare public`,
    '',
    ...lines,
    '',
    ...[...servers.values()].map(
      (s) =>
        `${s.bare ? 'Bare app' : 'Server'} RSS${
          Object.keys(s.env).length
            ? ` (${Object.entries(s.env)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')})`
            : ''
        }: idle ${s.idleRssMb.toFixed(0)} MB, peak ${s.peakRssMb.toFixed(0)} MB, at the end ${s.finalRssMb.toFixed(0)} MB`,
    ),
    '',
    'Targets (multiples of the bare public route in this one run):',
    ...targets.map(
      ([name, ok]) => `  ${verdict(ok)}  ${name}${ok === null ? ' (not in this run)' : ''}`,
    ),
    ...(starved.length > 0
      ? [
          `  NOTE  the server used less than 90 % of its core in ${starved.length === rows.length ? 'every scenario' : starved.join(', ')}: on a shared machine it waited for the CPU, so req/s and p99 move with whatever else ran; CPU time per request does much less`,
        ]
      : []),
    ...(saturated.length > 0
      ? [
          `  NOTE  SATURATED (${saturated.join(', ')}): the load generator used more than ${GENERATOR_LIMIT_PCT} % of its core, so that figure may be its limit, not the server's (on ${BARE} it understates the baseline and flatters every multiple)`,
        ]
      : []),
    ...(generatorNote ? [`  NOTE  ${generatorNote}`] : []),
    ...featureLines,
    '',
  ].join('\n'),
);
mkdirSync(join(args.json, '..'), { recursive: true });
writeFileSync(
  args.json,
  JSON.stringify(
    {
      when: new Date().toISOString(),
      machine,
      generator,
      generatorNote: generatorNote || undefined,
      generatorLimitPct: GENERATOR_LIMIT_PCT,
      connections,
      durationSec,
      rounds,
      warmupSec,
      settleSec,
      tokenCount,
      serverEnv,
      baseline: BARE,
      rs256: { usPerVerify: rs256Us, rounds: rs256Rounds, batch: RS256_BATCH },
      servers: [...servers.values()].map((s) => ({
        bare: s.bare,
        env: s.env,
        idleRssMb: s.idleRssMb,
        peakRssMb: s.peakRssMb,
        finalRssMb: s.finalRssMb,
      })),
      peakRssMb,
      rows,
      features: args.features ? featureRows : undefined,
      runs,
      checks,
      targets: targets.map(([name, met]) => ({ name, met })),
    },
    null,
    2,
  ),
);
say(`wrote ${args.json}`);
