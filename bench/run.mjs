// npm run bench: starts the built app (NODE_ENV=production) against a local issuer, drives each
// scenario with autocannon from a separate process, and prints one table of ratios to the public
// route measured in the same run. See docs/PERFORMANCE.md.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '12' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    tokens: { type: 'string', default: '10000' },
    scenarios: {
      type: 'string',
      default: 'public,private,private-10k,private-scoped,invalid,no-token',
    },
    json: { type: 'string', default: 'bench/results/latest.json' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'token-cache': { type: 'string', default: '16384' },
    'server-env': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'npm run bench -- [--duration 12] [--rounds 3] [--warmup 3] [--connections 50] [--tokens 10000]\n' +
      '  (each scenario: warm-up, then duration/rounds seconds in each of the interleaved rounds)\n' +
      '  [--scenarios public,private,private-10k,private-scoped,invalid,no-token]\n' +
      '  [--json bench/results/latest.json] [--no-build] [--cpu-prof DIR]\n' +
      '  [--token-cache N]   AUTH_TOKEN_CACHE_MAX_ENTRIES of the server (0: cache off)\n' +
      '  [--server-env KEY=VALUE]...   extra environment of the server (repeatable)\n',
  );
  process.exit(0);
}
const durationSec = Number(args.duration);
const rounds = Number(args.rounds);
const warmupSec = Number(args.warmup);
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
function mint(claims) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${header}.${b64({ iss: issuerUrl, aud: audience, iat: now, exp: now + 3600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
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
const work = join(tmpdir(), `bench-${process.pid}`);
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'many.json'), JSON.stringify(manyTokens));
writeFileSync(join(work, 'invalid.json'), JSON.stringify(invalidTokens));

// --- the server, pinned to core 0; the load generator gets core 1 -------------------------------
const cores = availableParallelism();
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const pin = hasTaskset && cores >= 2;
const pinned = (core, command) =>
  pin ? ['taskset', ['-c', String(core), ...command]] : [command[0], command.slice(1)];
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = probe.address();
    probe.close(() => resolve(p));
  });
});
const nodeArgs = args['cpu-prof'] ? [`--cpu-prof`, `--cpu-prof-dir=${args['cpu-prof']}`] : [];
const [serverCmd, serverArgs] = pinned(0, [process.execPath, ...nodeArgs, 'dist/main.js']);
const server = spawn(serverCmd, serverArgs, {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_ISSUER_URL: issuerUrl,
    AUTH_AUDIENCE: audience,
    AUTH_TOKEN_CACHE_MAX_ENTRIES: args['token-cache'],
    NO_COLOR: '1',
    ...serverEnv,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let serverOutput = '';
server.stdout.on('data', (chunk) => (serverOutput += chunk));
const deadline = Date.now() + 20_000;
while (!/Listening on/.test(serverOutput)) {
  if (Date.now() > deadline || server.exitCode !== null) {
    say(`server did not start:\n${serverOutput}`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// The server process itself (taskset execs node, so the pid is node's).
const serverPid = server.pid;
const rssMb = () => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serverPid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
const idleRssMb = rssMb();
let peakRssMb = idleRssMb;
const sampler = setInterval(() => {
  const now = rssMb();
  if (now > peakRssMb) peakRssMb = now;
}, 100);

// --- scenarios ----------------------------------------------------------------------------------
const base = `http://127.0.0.1:${port}`;
const scenarios = {
  public: { path: '/api/public' },
  private: { path: '/api/private', authorization: `Bearer ${oneToken}` },
  'private-10k': { path: '/api/private', tokensFile: join(work, 'many.json') },
  'private-scoped': { path: '/api/private-scoped', authorization: `Bearer ${scopedToken}` },
  invalid: { path: '/api/private', tokensFile: join(work, 'invalid.json') },
  'no-token': { path: '/api/private' },
};
function load(scenario, seconds, amount) {
  const [cmd, cmdArgs] = pinned(1, [
    process.execPath,
    'bench/load.mjs',
    JSON.stringify({
      url: `${base}${scenario.path}`,
      connections,
      durationSec: seconds,
      amount,
      ...scenario,
      path: undefined,
    }),
  ]);
  // Asynchronous, so that this process keeps serving the JWKS and sampling the server's memory meanwhile.
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()))
        : reject(new Error(`load generator exited with ${code}`)),
    );
  });
}

// Interleaved rounds: every scenario once per round, public included, and each ratio taken against
// the public run of its own round, then the median over rounds. A drift of the shared machine then
// moves both sides of a ratio together instead of landing on whichever scenario ran at that moment.
const names = args.scenarios.split(',');
for (const name of names) {
  if (!scenarios[name]) {
    say(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
}
const perRoundSec = Math.max(1, Math.round(durationSec / rounds));
for (const name of names) {
  const scenario = scenarios[name];
  say(`${name}: warm-up ${warmupSec} s ...`);
  if (warmupSec > 0) await load(scenario, warmupSec);
  // Scenarios that rotate tokens are measured warm: every token presented once first (the cold pass
  // is what the invalid scenario measures, a full verification per request).
  if (scenario.tokensFile) await load(scenario, 0, tokenCount);
}
const runs = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 1; round <= rounds; round += 1) {
  say(`round ${round}/${rounds}: ${perRoundSec} s per scenario at ${connections} connections ...`);
  for (const name of names) runs[name].push(await load(scenarios[name], perRoundSec));
}
clearInterval(sampler);
const finalRssMb = rssMb();
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
issuer.close();

// --- report -------------------------------------------------------------------------------------
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const expected = {
  public: 200,
  private: 200,
  'private-10k': 200,
  'private-scoped': 200,
  invalid: 401,
  'no-token': 401,
};
const publicRuns = runs.public;
const rows = names.map((name) => {
  const rs = runs[name];
  const unexpected = rs
    .flatMap((r) => Object.entries(r.statusCodes ?? {}))
    .filter(([code]) => Number(code) !== expected[name])
    .reduce((n, [, s]) => n + s.count, 0);
  const ratios = publicRuns
    ? rs.map((r, i) => r.requestsPerSec / publicRuns[i].requestsPerSec)
    : [NaN];
  const p99Ratios = publicRuns
    ? rs.map((r, i) => r.p99Ms / Math.max(publicRuns[i].p99Ms, 1))
    : [NaN];
  const generatorCpuPct = Math.max(...rs.map((r) => r.generatorCpuPct));
  return {
    scenario: name,
    reqPerSec: Math.round(median(rs.map((r) => r.requestsPerSec))),
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    p99Ratio: median(p99Ratios),
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    unexpectedStatus: unexpected + rs.reduce((n, r) => n + r.errors, 0),
    generatorCpuPct: Math.round(generatorCpuPct),
    generatorSaturated: generatorCpuPct > 90,
  };
});
const pad = (s, n) => String(s).padStart(n);
const lines = [
  `| scenario | req/s | × public (min–max) | p50 ms | p99 ms | p99 × public | non-2xx | wrong status/errors | generator CPU (max) |`,
  `|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${pad(r.reqPerSec, 7)} | ${r.ratio.toFixed(2)} (${r.ratioRange.map((x) => x.toFixed(2)).join('–')}) | ${r.p50Ms} | ${r.p99Ms} | ${r.p99Ratio.toFixed(2)} | ${r.non2xx} | ${r.unexpectedStatus} | ${r.generatorCpuPct}%${r.generatorSaturated ? ' SATURATED' : ''} |`,
  ),
];
const targets = [
  ['private-10k ≥ 0.6× public', rows.find((r) => r.scenario === 'private-10k')?.ratio >= 0.6],
  ['private ≥ 0.8× public', rows.find((r) => r.scenario === 'private')?.ratio >= 0.8],
  ['private-scoped ≥ 0.8× public', rows.find((r) => r.scenario === 'private-scoped')?.ratio >= 0.8],
  ['invalid ≥ 0.25× public', rows.find((r) => r.scenario === 'invalid')?.ratio >= 0.25],
  [
    'p99 of authenticated scenarios ≤ 3× public',
    rows
      .filter((r) => ['private', 'private-10k', 'private-scoped'].includes(r.scenario))
      .every((r) => r.p99Ratio <= 3),
  ],
  ['peak RSS < 250 MB', peakRssMb < 250],
];
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}; server ${pin ? 'pinned to core 0, load generator to core 1' : 'not pinned (taskset missing or one core)'}`;
process.stdout.write(
  [
    '',
    `Machine: ${machine}`,
    `Load: ${connections} connections; per scenario ${warmupSec} s warm-up, then ${rounds} interleaved rounds of ${perRoundSec} s (medians; ratios against the public run of the same round); ${tokenCount} distinct tokens`,
    '',
    ...lines,
    '',
    `Server RSS: idle ${idleRssMb.toFixed(0)} MB, peak ${peakRssMb.toFixed(0)} MB, at the end ${finalRssMb.toFixed(0)} MB`,
    '',
    'Targets (ratios from this one run):',
    ...targets.map(([name, ok]) => `  ${ok ? 'PASS' : 'FAIL'}  ${name}`),
    rows.some((r) => r.generatorSaturated)
      ? "  NOTE  SATURATED: the load generator used a whole core, so that figure is its limit, not the server's (on public it understates the baseline and flatters every ratio)"
      : '',
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
      connections,
      durationSec,
      rounds,
      warmupSec,
      tokenCount,
      idleRssMb,
      peakRssMb,
      rows,
      runs,
      targets: Object.fromEntries(targets),
    },
    null,
    2,
  ),
);
say(`wrote ${args.json}`);
