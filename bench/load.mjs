// One load run, in its own process (pinned by the caller to its own core): drives the server with
// wrk (bench/wrk.lua) or autocannon and prints one JSON line with the result and the generator's
// own CPU use.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const config = JSON.parse(process.argv[2]);

/** CPU seconds of this process and of its children that have been waited for (/proc/self/stat). */
function cpuSec() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces): utime is the 14th field, cstime the 17th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0);
  return ticks / 100; // USER_HZ is 100 on Linux
}

async function runWrk() {
  const args = [
    '-t1',
    `-c${config.connections}`,
    `-d${config.durationSec}s`,
    '--timeout',
    '10s',
    '-s',
    'bench/wrk.lua',
    ...(config.authorization ? ['-H', `Authorization: ${config.authorization}`] : []),
    config.url,
    '--',
    config.tokensTextFile ?? '',
    config.countStatuses ? '1' : '0',
  ];
  const out = await new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`)),
    );
  });
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (line === undefined) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length));
  const statusCodes = Object.fromEntries(
    Object.entries(r.statuses).map(([code, count]) => [code, { count }]),
  );
  return {
    requestsPerSec: r.requests / (r.durationUs / 1e6),
    total: r.requests,
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    // wrk counts statuses above 399; a scenario that expects 401 expects every response there.
    non2xx: r.statusOver399,
    errors: r.socketErrors + r.timeouts,
    statusCodes: config.countStatuses ? statusCodes : undefined,
  };
}

async function runAutocannon() {
  const { default: autocannon } = await import('autocannon');
  const tokens = config.tokensFile ? JSON.parse(readFileSync(config.tokensFile, 'utf8')) : [];
  let next = 0;
  const options = {
    url: config.url,
    connections: config.connections,
    ...(config.amount ? { amount: config.amount } : { duration: config.durationSec }),
    pipelining: 1,
    headers: config.authorization ? { authorization: config.authorization } : {},
  };
  if (tokens.length > 0) {
    // A different token on every request, round robin.
    options.requests = [
      {
        setupRequest: (request) => {
          request.headers = { ...request.headers, authorization: `Bearer ${tokens[next]}` };
          next = (next + 1) % tokens.length;
          return request;
        },
      },
    ];
  }
  const result = await autocannon(options);
  return {
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: result.statusCodeStats,
  };
}

const cpuBefore = cpuSec();
const started = process.hrtime.bigint();
// A pass of a given number of requests (filling the cache, checking statuses) goes to autocannon:
// it is not measured, and wrk cannot stop early (it waits out its whole duration).
const result =
  config.generator === 'wrk' && !config.amount ? await runWrk() : await runAutocannon();
const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({ ...result, generatorCpuPct: (100 * (cpuSec() - cpuBefore)) / elapsedSec })}\n`,
);
