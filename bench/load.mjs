// One load run, in its own process (pinned by the caller to its own core): drives the server with
// autocannon and prints one JSON line with the result and this process's own CPU use.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const config = JSON.parse(process.argv[2]);
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

const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
const result = await autocannon(options);
const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: result.statusCodeStats,
    generatorCpuPct: (100 * (cpu.user + cpu.system)) / elapsedUs,
  })}\n`,
);
