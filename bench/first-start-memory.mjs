// node bench/first-start-memory.mjs: the memory of `node dist/main.js` on its first start (an empty
// DATA_DIR: the embedded database is initialised) and on a restart of the same directory, in
// production mode (against an issuer this script serves on 127.0.0.1) and in development mode (the
// app's own issuer). For each start: the peak resident memory of the app's process (VmHWM of
// /proc/PID/status), the peak of the process and its children added up (what a container's memory
// limit counts), the time to "Listening on", and the resident memory (VmRSS) 10 s and 30 s after it
// (--idle-sec) with no request. Each mode runs --runs times; prints each run and the worst of each
// column. Everything runs on 127.0.0.1; each start is given at most 120 s.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const print = (line) => process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'idle-sec': { type: 'string', default: '10,30' },
    modes: { type: 'string', default: 'production,development' },
  },
});
const runs = Number(args.runs);
const idleSec = args['idle-sec'].split(',').map(Number);
const modes = args.modes.split(',');
const START_TIMEOUT_MS = 120_000;

const root = join(import.meta.dirname, '..');
const main = join(root, 'dist', 'main.js');
const testing = join(root, 'dist', 'auth', 'testing', 'index.js');
if (!existsSync(main) || !existsSync(testing)) {
  process.stderr.write('bench/first-start-memory.mjs needs dist/: run npm run build first\n');
  process.exit(1);
}
const { TestIssuer } = await import(testing);

/** A field of /proc/PID/status in MB, or 0 when the process is gone. */
function statusMb(pid, field) {
  const status = procText(`/proc/${pid}/status`);
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
}

/** The text of a /proc file, or '' when the process is gone. */
function procText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The ids of `pid`'s descendants that are alive now. */
function descendants(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((task) =>
    procText(`/proc/${pid}/task/${task}/children`)
      .split(' ')
      .filter(Boolean)
      .flatMap((child) => [Number(child), ...descendants(Number(child))]),
  );
}

/** A free port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the app on `dataDir` with `env`, samples its memory every 10 ms until it has listened and
 * then idled for the longest of `idleSec`, stops it, and returns the figures.
 */
async function measure(dataDir, env) {
  const cwd = mkdtempSync(join(tmpdir(), 'first-start-cwd-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let listenedAt = 0;
  const onData = (chunk) => {
    output += chunk;
    if (listenedAt === 0 && output.includes('Listening on')) listenedAt = performance.now();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let childrenPeakMb = 0;
  let totalPeakMb = 0;
  let hwmMb = 0;
  const sampler = setInterval(() => {
    let total = statusMb(child.pid, 'VmRSS');
    hwmMb = Math.max(hwmMb, statusMb(child.pid, 'VmHWM'));
    for (const pid of descendants(child.pid)) {
      total += statusMb(pid, 'VmRSS');
      childrenPeakMb = Math.max(childrenPeakMb, statusMb(pid, 'VmHWM'));
    }
    totalPeakMb = Math.max(totalPeakMb, total);
  }, 10);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (listenedAt === 0 && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const listened = listenedAt !== 0;
  const idleMb = [];
  for (const sec of listened ? idleSec : []) {
    await new Promise((resolve) =>
      setTimeout(resolve, listenedAt + sec * 1000 - performance.now()),
    );
    idleMb.push(statusMb(child.pid, 'VmRSS'));
  }
  clearInterval(sampler);
  hwmMb = Math.max(hwmMb, statusMb(child.pid, 'VmHWM'));
  if (child.exitCode === null) child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
  rmSync(cwd, { recursive: true, force: true });
  if (!listened) {
    process.stderr.write(`the app did not listen within ${START_TIMEOUT_MS} ms:\n${output}\n`);
    process.exit(1);
  }
  return {
    peakMb: hwmMb,
    childrenPeakMb,
    totalPeakMb,
    listenMs: listenedAt - started,
    idleMb,
  };
}

const issuer = await new TestIssuer({ audience: 'https://bench/api' }).start();
const envs = {
  production: {
    NODE_ENV: 'production',
    AUTH_ISSUER_URL: issuer.url,
    AUTH_AUDIENCE: issuer.audience,
  },
  development: {},
};

const mb = (value) => value.toFixed(0).padStart(6);
const idleColumns = idleSec.map((sec) => `  idle ${sec}s`).join('');
print('node dist/main.js on an empty DATA_DIR (first), then again on it (restart); MB of RSS');
print(`mode         start     run  peak MB  +children MB  sum peak MB  listen ms${idleColumns}`);
const row = (figures) =>
  `${mb(figures.peakMb)}   ${mb(figures.childrenPeakMb)}       ${mb(figures.totalPeakMb)}      ${String(Math.round(figures.listenMs)).padStart(6)}${figures.idleMb.map((v) => `    ${mb(v)}`).join('')}`;
const rows = [];
try {
  for (const mode of modes) {
    for (let run = 1; run <= runs; run += 1) {
      const parent = mkdtempSync(join(tmpdir(), 'first-start-'));
      const dataDir = join(parent, 'data');
      try {
        for (const start of ['first', 'restart']) {
          const figures = await measure(dataDir, envs[mode]);
          rows.push({ mode, start, ...figures });
          print(
            `${mode.padEnd(12)} ${start.padEnd(8)} ${String(run).padStart(4)}  ${row(figures)}`,
          );
        }
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    }
  }
} finally {
  await issuer.stop();
}
print('worst of each column:');
for (const mode of modes) {
  for (const start of ['first', 'restart']) {
    const of = rows.filter((r) => r.mode === mode && r.start === start);
    const max = (key) => Math.max(...of.map((r) => r[key]));
    const worst = {
      peakMb: max('peakMb'),
      childrenPeakMb: max('childrenPeakMb'),
      totalPeakMb: max('totalPeakMb'),
      listenMs: max('listenMs'),
      idleMb: idleSec.map((_, i) => Math.max(...of.map((r) => r.idleMb[i]))),
    };
    print(`${mode.padEnd(12)} ${start.padEnd(8)}  max  ${row(worst)}`);
  }
}
