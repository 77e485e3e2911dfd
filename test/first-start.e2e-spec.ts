import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from './support/http.js';
import { startProductionMain, type AppProcess } from './support/process.js';
import { TestIssuer } from './support/test-issuer.js';

/** A field of a process's /proc status, in MB. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
}

const PEAK_LIMIT_MB = 250;

describe('a first start on an empty DATA_DIR (node dist/main.js)', () => {
  const issuer = new TestIssuer('https://quickstarts/api');
  // Empty: not a copy of the test run's template (test/support/data-dir.ts).
  const dataDir = join(mkdtempSync(join(tmpdir(), 'first-start-')), 'data');
  let app: AppProcess | undefined;

  beforeAll(() => issuer.start());
  afterEach(() => app?.stop());
  afterAll(() => issuer.stop());

  it(`copies the build's template, migrates, and peaks under ${PEAK_LIMIT_MB} MB`, async () => {
    const started = await startProductionMain(issuer, { DATA_DIR: dataDir });
    app = started.app;
    const peakMb = statusMb(app.child.pid!, 'VmHWM');
    process.stderr.write(
      `[first-start] peak ${peakMb.toFixed(0)} MB, ${statusMb(app.child.pid!, 'VmRSS').toFixed(0)} MB resident at listen\n`,
    );
    expect(peakMb).toBeLessThan(PEAK_LIMIT_MB);
    const output = app.output();
    expect(output).toContain(
      `first start: initialising ${join(dataDir, 'pglite')} from the build's template`,
    );
    expect(output).toContain('applied migrations: 0001_users');
    expect(readdirSync(dataDir).sort()).toEqual(['pglite', 'pglite.lock']);
    const me = await get(started.url, 'api/me', `Bearer ${issuer.token()}`);
    expect(me.status).toBe(200);
  }, 90_000);

  it('reopens it on a restart, keeping its users', async () => {
    const started = await startProductionMain(issuer, { DATA_DIR: dataDir });
    app = started.app;
    expect(app.output()).not.toContain('first start');
    expect(app.output()).not.toContain('applied migrations');
    const me = await get(started.url, 'api/me', `Bearer ${issuer.token()}`);
    expect(me.status).toBe(200);
    expect(existsSync(join(dataDir, 'pglite.initialising'))).toBe(false);
  }, 90_000);
});
