import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestIssuer } from '../src/auth/testing/index.js';
import { get } from './support/http.js';
import { startNode, type AppProcess } from './support/process.js';

/**
 * The AuthModule package as another service gets it: `npm run pack:auth`, then a scratch Nest app
 * outside the repository (test/scratch-app/, copied to a temporary directory) installs the tarball
 * with `npm ci --offline` and imports nothing but the package's exports. No network: the scratch
 * app's lockfile is cut from this repository's package-lock.json, so npm takes every other package
 * from its cache, which this repository's `npm ci` filled.
 */

const ROOT = path.resolve('.');
/** What the scratch app depends on besides the package, with the root package.json's ranges. */
const SCRATCH_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/passport',
  '@nestjs/platform-fastify',
  'passport',
  'reflect-metadata',
  'rxjs',
];
const SCRATCH_DEV_DEPENDENCIES = ['@nestjs/testing', '@types/node'];
const AUDIENCE = 'https://orders.example/api';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** Runs a command to its end within `timeoutMs`; rejects with its output when it fails. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** npm's environment without what `npm test` passes down to scripts (a scratch install is its own project). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('npm_') || name === 'npm_config_cache',
    ),
  );
}

/**
 * The scratch app's package-lock.json: its own root and the tarball, then every package they need,
 * copied with its place in the tree from the root lockfile (npm ci then needs no registry).
 */
function scratchLock(
  manifest: {
    name: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  },
  tarball: { file: string; manifest: LockEntry & { name: string }; integrity: string },
): unknown {
  const rootLock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packageKey = `node_modules/${tarball.manifest.name}`;
  const packageManifest = tarball.manifest;
  const packages: Record<string, LockEntry> = {
    '': {
      name: manifest.name,
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
    },
    [packageKey]: {
      version: packageManifest.version,
      resolved: `file:${tarball.file}`,
      integrity: tarball.integrity,
      dependencies: packageManifest.dependencies,
      peerDependencies: packageManifest.peerDependencies,
      peerDependenciesMeta: packageManifest.peerDependenciesMeta,
    },
  };
  const resolveFrom = (from: string, name: string): string | undefined => {
    for (let base = from; ;) {
      const key = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (key in packages || key in rootLock.packages) return key;
      if (!base) return undefined;
      const parent = base.lastIndexOf('/node_modules/');
      base = parent < 0 ? '' : base.slice(0, parent);
    }
  };
  const queue: [string, LockEntry][] = [
    ['', packages['']!],
    [packageKey, packages[packageKey]!],
  ];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [from, entry] = next;
    const optional = new Set([
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([name]) => name),
    ]);
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys((entry as { devDependencies?: object }).devDependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}),
    ];
    for (const name of wanted) {
      const key = resolveFrom(from, name);
      if (key === undefined) {
        if (optional.has(name)) continue;
        throw new Error(
          `${name}, needed by ${from || 'the scratch app'}, is not in package-lock.json`,
        );
      }
      if (key in packages) continue;
      // The flags say how the repository uses a package, not how the scratch app does.
      const copy = { ...rootLock.packages[key]! };
      for (const flag of ['dev', 'devOptional', 'peer']) delete copy[flag];
      packages[key] = copy;
      queue.push([key, copy]);
    }
  }
  return { name: manifest.name, lockfileVersion: 3, requires: true, packages };
}

describe('the AuthModule package, installed into a scratch Nest app outside the repository', () => {
  let scratch: string;
  let tarballPath: string;
  let issuer: TestIssuer;
  let app: AppProcess | undefined;
  let url: string;

  beforeAll(async () => {
    // 1. Pack: the last line npm run pack:auth prints is the tarball's path.
    const packOutput = await run('npm', ['run', '--silent', 'pack:auth'], ROOT, 300_000);
    tarballPath = packOutput.trim().split('\n').at(-1)!;
    const bytes = readFileSync(tarballPath);
    process.stdout.write(
      `AuthModule package: ${tarballPath}, ${statSync(tarballPath).size} bytes\n`,
    );

    // 2. A scratch app in the system's temporary directory, with the tarball beside it.
    scratch = mkdtempSync(path.join(tmpdir(), 'auth-package-scratch-'));
    cpSync(path.join(ROOT, 'test/scratch-app'), scratch, { recursive: true });
    const tarballFile = path.basename(tarballPath);
    writeFileSync(path.join(scratch, tarballFile), bytes);
    const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const rootRange = (name: string) =>
      rootManifest.dependencies[name] ?? rootManifest.devDependencies[name] ?? '*';
    const packageManifest = JSON.parse(
      await run('tar', ['-xOzf', tarballPath, 'package/package.json'], ROOT, 30_000),
    ) as LockEntry & { name: string };
    const manifest = {
      name: 'scratch-orders-service',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: {
        [packageManifest.name]: `file:${tarballFile}`,
        ...Object.fromEntries(SCRATCH_DEPENDENCIES.map((name) => [name, rootRange(name)])),
      },
      devDependencies: Object.fromEntries(
        SCRATCH_DEV_DEPENDENCIES.map((name) => [name, rootRange(name)]),
      ),
    };
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify(manifest, null, 2));
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    writeFileSync(
      path.join(scratch, 'package-lock.json'),
      JSON.stringify(
        scratchLock(manifest, { file: tarballFile, manifest: packageManifest, integrity }),
        null,
        2,
      ),
    );

    // 3. Install with no registry at all, then compile the app and its e2e test.
    await run(
      'npm',
      ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
      scratch,
      180_000,
      npmEnv(),
    );
    await run(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
      scratch,
      180_000,
    );

    // 4. Start it against a test issuer, as it would run in production.
    issuer = await TestIssuer.start({ audience: AUDIENCE });
    app = startNode(
      ['dist/src/main.js'],
      { PORT: '0', AUTH_ISSUER_URL: issuer.url, AUTH_AUDIENCE: AUDIENCE },
      scratch,
    );
    await app.waitFor(/listening http:\/\/127\.0\.0\.1:\d+/, 30_000);
    url = `${/listening (http:\/\/127\.0\.0\.1:\d+)/.exec(app.output())![1]}/`;
  }, 900_000);

  afterAll(async () => {
    await app?.stop();
    await issuer?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("holds src/auth's build, its manifest and README, and nothing else", async () => {
    const entries = (await run('tar', ['-tzf', tarballPath], ROOT, 30_000)).trim().split('\n');
    const outside = entries.filter(
      (entry) =>
        !['package/package.json', 'package/README.md'].includes(entry) &&
        !/^package\/dist\/[\w./-]+\.(js|d\.ts)$/.test(entry),
    );
    expect(outside).toEqual([]);
    const sources = entries
      .filter((entry) => entry.endsWith('.js'))
      .map((entry) =>
        path.join('src/auth', entry.slice('package/dist/'.length).replace(/\.js$/, '.ts')),
      );
    expect(sources.filter((source) => source.endsWith('.spec.ts') || !existsSync(source))).toEqual(
      [],
    );
    expect(entries).toEqual(
      expect.arrayContaining(['package/dist/index.d.ts', 'package/dist/testing/index.d.ts']),
    );
  });

  it('answers 200 on the guarded route to a token granting orders:read', async () => {
    const reply = await get(
      url,
      'orders',
      `Bearer ${issuer.token({ sub: 'alice', scopes: ['orders:read'] })}`,
    );
    expect(reply).toMatchObject({ status: 200, body: { orders: [], for: 'alice' } });
  });

  it('answers 401 invalid_request without a token, and 200 on the unguarded route', async () => {
    const reply = await get(url, 'orders');
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/^Bearer realm=/);
    expect((await get(url, 'status')).status).toBe(200);
  });

  it('answers 401 invalid_token to expired and wrongly signed tokens', async () => {
    for (const token of [
      issuer.expiredToken({ scopes: ['orders:read'] }),
      issuer.wronglySignedToken({ scopes: ['orders:read'] }),
    ]) {
      const reply = await get(url, 'orders', `Bearer ${token}`);
      expect(reply.status).toBe(401);
      expect(reply.challenge).toContain('error="invalid_token"');
      expect(reply.body).toMatchObject({ error: 'invalid_token' });
    }
  });

  it('answers 403 insufficient_scope to a valid token without orders:read', async () => {
    const reply = await get(url, 'orders', `Bearer ${issuer.token({ scopes: ['orders:write'] })}`);
    expect(reply.status).toBe(403);
    expect(reply.challenge).toContain('error="insufficient_scope"');
    expect(reply.body).toMatchObject({ error: 'insufficient_scope' });
  });

  it("passes the scratch app's own e2e test (Test.createTestingModule + the testing kit)", async () => {
    const output = await run(
      process.execPath,
      ['--test', '--test-reporter=tap', 'dist/test/orders.e2e.test.js'],
      scratch,
      120_000,
      { PATH: process.env['PATH'] ?? '' },
    );
    expect(output).toMatch(/^# pass [1-9]/m);
    expect(output).toMatch(/^# fail 0$/m);
  }, 150_000);
});
