// `npm run pack:auth`: builds src/auth/ (the AuthModule package, manifest src/auth/package.json) into
// build/auth-package/ and packs it with `npm pack`. The last line printed is the tarball's path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build');
const stage = path.join(out, 'auth-package');

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'src/auth/tsconfig.package.json'],
  { cwd: root, stdio: 'inherit', timeout: 300_000 },
);
copyFileSync(path.join(root, 'src/auth/package.json'), path.join(stage, 'package.json'));
writeFileSync(path.join(stage, 'README.md'), packageReadme());

const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
  cwd: stage,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  timeout: 120_000,
});
const [tarball] = JSON.parse(packed);
process.stdout.write(
  `${tarball.id}: ${tarball.entryCount} files, ${tarball.size} bytes (${tarball.unpackedSize} unpacked)\n` +
    `${path.join(out, tarball.filename)}\n`,
);

/** The root README's section on using AuthModule in another service, so the text exists once. */
function packageReadme() {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use `AuthModule` in another Nest service');
  if (start < 0)
    throw new Error('README.md has no "Use `AuthModule` in another Nest service" section');
  const end = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, end < 0 ? undefined : end).replace(/^## /, '');
  return `# @nest-oauth2-resource-server/auth\n\n${section.replace(/^[^\n]*\n/, '')}`;
}
