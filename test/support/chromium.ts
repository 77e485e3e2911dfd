import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium: the only browser the tests drive (never a downloaded one). */
export const CHROMIUM = '/usr/bin/chromium';
/** What installs it; `.ci/run` runs it, and this file tries it when it can. */
export const CHROMIUM_INSTALL = 'apt-get install -y --no-install-recommends chromium';

/** Launch flags: headless, nothing fetched from the network on its own, no first-run work. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function run(command: string[], timeoutMs: number): boolean {
  const result = spawnSync(command[0]!, command.slice(1), {
    stdio: 'ignore',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * The Chromium path, installing Debian's package first when it is missing and this process may
 * (root, or password-less sudo); `undefined` when it is missing and cannot be installed.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const prefix =
    process.getuid?.() === 0 ? [] : run(['sudo', '-n', 'true'], 5_000) ? ['sudo', '-n'] : undefined;
  if (prefix === undefined || !run(['sh', '-c', 'command -v apt-get'], 5_000)) return undefined;
  run([...prefix, 'apt-get', 'update'], 300_000);
  run([...prefix, ...CHROMIUM_INSTALL.split(' ')], 600_000);
  return existsSync(CHROMIUM) ? CHROMIUM : undefined;
}
