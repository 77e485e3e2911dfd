import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from './env.js';

const ISSUER_ENV = { AUTH_ISSUER_URL: 'https://tenant.auth0.com/', AUTH_AUDIENCE: 'https://api/' };

describe('storage variables', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'data-dir-spec-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  it('defaults to the embedded database under ./data', () => {
    const { value, problems } = parseEnv(ISSUER_ENV);
    expect(problems).toEqual([]);
    expect(value.databaseUrl).toBeUndefined();
    expect(value.dataDir).toBe(resolve('data'));
  });

  it.each(['postgres://app:pw@db.internal:5432/app', 'postgresql://app@db.internal/app'])(
    'accepts DATABASE_URL=%s',
    (DATABASE_URL) => {
      const { value, problems } = parseEnv({ ...ISSUER_ENV, DATABASE_URL });
      expect(problems).toEqual([]);
      expect(value.databaseUrl).toBe(DATABASE_URL);
    },
  );

  it.each([
    ['mysql://app:hunter2-secret@db/app', 'must be a postgres:// URL'],
    ['hunter2-secret', 'is not a URL'],
    ['postgres:///app?password=hunter2-secret', 'names no host'],
  ])(
    'refuses DATABASE_URL=%s in one line that names the fix and never repeats the value',
    (DATABASE_URL, reason) => {
      const { problems } = parseEnv({ ...ISSUER_ENV, DATABASE_URL });
      expect(problems).toEqual([
        `DATABASE_URL ${reason}; set it like DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE, or unset it to use the embedded database under DATA_DIR`,
      ]);
      expect(problems[0]).not.toContain('hunter2');
    },
  );

  it('accepts a DATA_DIR that does not exist yet under a writable directory, without creating it', () => {
    const parent = mkdtempSync(join(scratch, 'parent-'));
    const { value, problems } = parseEnv({ ...ISSUER_ENV, DATA_DIR: join(parent, 'a', 'b') });
    expect(problems).toEqual([]);
    expect(value.dataDir).toBe(join(parent, 'a', 'b'));
  });

  it('refuses a DATA_DIR under a file, in one line naming DATA_DIR and the fix', () => {
    const file = join(scratch, 'file');
    writeFileSync(file, '');
    const { problems } = parseEnv({ ...ISSUER_ENV, DATA_DIR: join(file, 'data') });
    expect(problems).toEqual([
      `DATA_DIR=${join(file, 'data')} cannot be written (${file} is not a directory); set DATA_DIR to a directory this user can write`,
    ]);
  });
});
