import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshDataDir } from './data-dir.js';
import { freePort } from './http.js';

/** The built entry point; `npm test` builds it first. */
export const MAIN = resolve('dist/main.js');

/** A started `node dist/main.js` and everything it printed so far. */
export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output matches, rejects when the process exits or `timeoutMs` passes. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/** An empty working directory, so that no developer's `.env` is read. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'auth-api-'));
}

/** Starts the built app with exactly `env` (plus PATH, and a fresh DATA_DIR unless `env` names one), in `cwd`. */
export function startMain(env: Record<string, string>, cwd = emptyDir()): AppProcess {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
  return startNode(
    [MAIN],
    { ...('DATA_DIR' in env ? {} : { DATA_DIR: freshDataDir() }), ...env },
    cwd,
  );
}

/**
 * Starts `node ...args` (or `command ...args`) in `cwd` with exactly `env` (plus PATH), collecting
 * what it prints.
 */
export function startNode(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  command = process.execPath,
): AppProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) done(resolve);
        };
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        void exited.then((code) =>
          done(() =>
            reject(new Error(`exited with ${code} before ${pattern}; output:\n${output}`)),
          ),
        );
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Starts the built app in production against `issuer` on a free loopback port, with `env` on top,
 * and resolves once it listens, with its base URL (ending in `/`).
 */
export async function startProductionMain(
  issuer: { url: string; audience: string },
  env: Record<string, string> = {},
): Promise<{ app: AppProcess; url: string }> {
  const port = await freePort();
  const app = startMain({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_ISSUER_URL: issuer.url,
    AUTH_AUDIENCE: issuer.audience,
    ...env,
  });
  await app.waitFor(/Listening on/);
  return { app, url: `http://127.0.0.1:${port}/` };
}
