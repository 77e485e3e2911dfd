import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { installFromDebian } from './debian.js';
import { freePort } from './http.js';

/** The Debian package and the command that installs it, named when the tests must skip. */
export const REDIS_INSTALL = 'apt-get install -y --no-install-recommends redis-server';

function findRedisServer(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : undefined;
}

/** `redis-server`, installed from Debian's packages when missing and this process may; else `undefined`. */
export function redisServerBinary(): string | undefined {
  return findRedisServer() ?? (installFromDebian(['redis-server']) ? findRedisServer() : undefined);
}

/** One RESP command over a fresh connection: the reply's first line (enough for PING and DBSIZE). */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2_000, () => socket.destroy(new Error('redis did not answer in 2 s')));
    socket.on('error', reject);
    socket.on('data', (data) => {
      socket.end();
      resolve(data.toString('utf8').split('\r\n')[0]!);
    });
    socket.write(
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    );
  });
}

/** A throwaway redis-server on 127.0.0.1, in memory only, owned by this test run. */
export class TestRedis {
  port = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly bin: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts on a free port (the same one again after {@link stopServer}) and waits until it answers PING. */
  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    this.child = spawn(
      this.bin,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await redisCommand(this.port, 'PING')) === '+PONG') return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the server (its data go with it) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
