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
import { io, type Socket } from 'socket.io-client';
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
  // a GraphQL query (Mercurius on Fastify) and a socket.io gateway
  '@nestjs/graphql',
  '@nestjs/mercurius',
  'graphql',
  'mercurius',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
];
const SCRATCH_DEV_DEPENDENCIES = ['@nestjs/testing', '@types/node'];
const AUDIENCE = 'https://orders.example/api';

/** The scratch app's GraphQL query; `orders` needs `orders:read` and answers the caller's `sub`. */
const ORDERS_QUERY = '{ orders { for ids } }';

interface GraphqlReply {
  status: number;
  body: {
    data?: { orders: { for: string; ids: string[] } } | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** POSTs the orders query to the scratch app's /graphql with an optional bearer token. */
async function queryOrders(url: string, token?: string): Promise<GraphqlReply> {
  const res = await fetch(`${url}graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query: ORDERS_QUERY }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, body: (await res.json()) as GraphqlReply['body'] };
}

interface WsAuthError {
  statusCode: number;
  error: string;
  error_description: string;
}

/** A socket.io handshake with an optional token: the connected socket, or the refusal's data. */
function connect(
  url: string,
  token: string | undefined,
): Promise<{ socket: Socket } | { refused: Error & { data?: WsAuthError } }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5_000,
    extraHeaders: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (refused) => {
      socket.close();
      resolve({ refused });
    });
  });
}

/** Sends one message: its answer (the ack) or the `exception` event, whichever comes within 5 s. */
function send(socket: Socket, event: string): Promise<{ answer?: unknown; error?: WsAuthError }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${event} within 5 s`)), 5_000);
    socket.once('exception', (error: WsAuthError) => {
      clearTimeout(timer);
      resolve({ error });
    });
    socket.emit(event, {}, (answer: unknown) => {
      clearTimeout(timer);
      resolve({ answer });
    });
  });
}

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

  it('answers 401 invalid_request without a token, and 200 on the @Public() route', async () => {
    const reply = await get(url, 'orders');
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/^Bearer realm=/);
    expect((await get(url, 'status')).status).toBe(200);
  });

  it('answers 401 without a token on a route with no decorator (protectAllRoutes), 200 with one', async () => {
    const reply = await get(url, 'invoices');
    expect(reply.status).toBe(401);
    expect(reply.challenge).toMatch(/^Bearer realm=/);
    expect(reply.body).toMatchObject({ statusCode: 401 });
    expect((await get(url, 'invoices', `Bearer ${issuer.token()}`)).status).toBe(200);
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

  describe('a GraphQL query (Mercurius on Fastify)', () => {
    it('answers an error with extensions code and status 401 without a token', async () => {
      const reply = await queryOrders(url);
      expect(reply.body.data ?? null).toBeNull();
      expect(reply.body.errors).toHaveLength(1);
      expect(reply.body.errors![0]!.extensions).toMatchObject({
        code: 'unauthorized',
        status: 401,
        challenge: expect.stringMatching(/^Bearer realm=/),
      });
    });

    it('answers an error with extensions 401 invalid_token to an expired token', async () => {
      const reply = await queryOrders(url, issuer.expiredToken({ scopes: ['orders:read'] }));
      expect(reply.body.errors![0]!.extensions).toMatchObject({
        code: 'invalid_token',
        status: 401,
      });
    });

    it('answers an error with extensions 403 insufficient_scope to a token without orders:read', async () => {
      const reply = await queryOrders(url, issuer.token({ scopes: ['orders:write'] }));
      expect(reply.body.data ?? null).toBeNull();
      expect(reply.body.errors![0]!.extensions).toMatchObject({
        code: 'insufficient_scope',
        status: 403,
      });
    });

    it('answers the data, with the principal from @CurrentUser(), to a token granting orders:read', async () => {
      const reply = await queryOrders(url, issuer.token({ sub: 'alice', scopes: ['orders:read'] }));
      expect(reply).toEqual({
        status: 200,
        body: { data: { orders: { for: 'alice', ids: [] } } },
      });
    });
  });

  describe('a WebSocket gateway (socket.io)', () => {
    const sockets: Socket[] = [];
    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.close();
    });
    const connected = async (token: string): Promise<Socket> => {
      const outcome = await connect(url, token);
      if ('refused' in outcome) throw outcome.refused;
      sockets.push(outcome.socket);
      return outcome.socket;
    };

    it('refuses the handshake without a token, or with an expired one, with connect_error data 401', async () => {
      for (const [token, error] of [
        [undefined, 'unauthorized'],
        [issuer.expiredToken({ scopes: ['orders:read'] }), 'invalid_token'],
      ] as const) {
        const outcome = await connect(url, token);
        if ('socket' in outcome) sockets.push(outcome.socket);
        expect('refused' in outcome && outcome.refused.data).toMatchObject({
          statusCode: 401,
          error,
        });
      }
    });

    it('answers a @Scopes message with the principal to a token granting orders:read', async () => {
      const socket = await connected(issuer.token({ sub: 'alice', scopes: ['orders:read'] }));
      expect(await send(socket, 'orders')).toEqual({ answer: { for: 'alice', orders: [] } });
    });

    it('refuses a @Scopes message with an exception event 403 insufficient_scope to a token without orders:read', async () => {
      const socket = await connected(issuer.token({ scopes: ['orders:write'] }));
      expect(await send(socket, 'orders')).toEqual({
        error: expect.objectContaining({ statusCode: 403, error: 'insufficient_scope' }),
      });
    });
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
    // Both of its suites ran and passed: the HTTP route and the GraphQL query.
    expect(output).toMatch(/^ok \d+ - GET \/orders$/m);
    expect(output).toMatch(/^ok \d+ - the GraphQL query orders$/m);
  }, 150_000);
});
