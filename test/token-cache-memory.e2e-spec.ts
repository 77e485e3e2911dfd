import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { freePort } from './support/http.js';
import { startMain, type AppProcess } from './support/process.js';
import { TestIssuer, type TestKey } from './support/test-issuer.js';

const TOKENS = 10_000;
const PERMISSIONS = 250;
const CONCURRENCY = 16;
/** The whole flood must finish within this, or the test fails rather than hangs. */
const FLOOD_DEADLINE_MS = 120_000;

/** The resident set size of a process, in MiB, from /proc (Linux). */
function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

describe('verified-token cache memory (node dist/main.js)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  // ES256: signing 10 000 tokens with it takes about a second, with RSA about twenty.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key: TestKey = {
    kid: 'ec',
    privateKey,
    publicKey,
    jwkExtras: { alg: 'ES256', use: 'sig' },
  };
  issuer.keys = [key];
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    await issuer.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/api/private`;
    app = startMain({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_ISSUER_URL: issuer.url,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_ALGORITHMS: 'ES256',
    });
    await app.waitFor(/Listening on/);
  });

  afterAll(async () => {
    await app?.stop();
    await issuer.stop();
  });

  /**
   * A distinct valid token with a 250-entry `permissions` claim (about 6 KB of JSON). One subject for
   * all: this measures the token cache, not the users module's 10 000 stored users.
   */
  const bigToken = (n: number) =>
    issuer.token({
      key,
      header: { alg: 'ES256' },
      claims: {
        sub: 'auth0|token-cache-memory',
        jti: `${n}-${randomUUID()}`,
        permissions: Array.from({ length: PERMISSIONS }, (_, i) => `read:resource-${i}`),
      },
    });

  /** Sends tokens `from`..`to` once each, `CONCURRENCY` at a time; every one must get 200. */
  async function send(from: number, to: number, deadline: number): Promise<void> {
    let next = from;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (next < to && Date.now() < deadline) {
        const n = next++;
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${bigToken(n)}` },
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(Object.fromEntries(statuses)).toEqual({ 200: to - from });
  }

  it('grows RSS by less than 150 MB over 10 000 distinct tokens with 250 permissions each', async () => {
    const deadline = Date.now() + FLOOD_DEADLINE_MS;
    const pid = app.child.pid!;
    await send(0, 500, deadline); // warm-up: code compiled, pools and caches allocated
    const before = rssMib(pid);
    await send(500, 500 + TOKENS, deadline);
    const after = rssMib(pid);
    process.stderr.write(
      `token-cache RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after ${TOKENS} tokens (+${(after - before).toFixed(0)} MiB)\n`,
    );
    expect(after - before).toBeLessThan(150);
  }, 180_000);
});
