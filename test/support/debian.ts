import { spawnSync } from 'node:child_process';

/**
 * Installs Debian packages with apt-get when this process may (root, or password-less sudo), so
 * that a spec's real dependency (a database server) is there on a fresh machine as in CI; `false`
 * when it cannot be installed.
 */
export function installFromDebian(packages: readonly string[]): boolean {
  const root = process.getuid?.() === 0;
  if (!root && spawnSync('sudo', ['-n', 'true']).status !== 0) return false;
  const run = (args: string[]) => {
    const [command, ...rest] = root ? args : ['sudo', '-n', ...args];
    return (
      spawnSync(command!, rest, {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        timeout: 300_000,
      }).status === 0
    );
  };
  return (
    run(['apt-get', 'update']) &&
    run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages])
  );
}
