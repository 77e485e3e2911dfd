import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initdbInChild, initialiseDataDir, type Initialised } from './pglite-data-dir.js';

/** This process's peak resident memory in MB (Linux). */
function peakMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

/** A fresh directory holding `pglite/` (absent) and a template with two files. */
function setUp(): { directory: string; template: string } {
  const root = mkdtempSync(join(tmpdir(), 'pglite-data-dir-'));
  const template = join(root, 'template');
  mkdirSync(join(template, 'base'), { recursive: true });
  writeFileSync(join(template, 'PG_VERSION'), '17\n');
  writeFileSync(join(template, 'base', 'file'), 'data');
  return { directory: join(root, 'pglite'), template };
}

describe('initialiseDataDir', () => {
  it('copies the template into a missing or empty directory, assembled beside it and renamed', async () => {
    for (const makeEmpty of [false, true]) {
      const { directory, template } = setUp();
      if (makeEmpty) mkdirSync(directory);
      const told: Initialised[] = [];
      const how = await initialiseDataDir(directory, {
        template,
        starting: (way) => told.push(way),
      });
      expect(how).toBe('template');
      expect(told).toEqual(['template']);
      expect(readFileSync(join(directory, 'base', 'file'), 'utf8')).toBe('data');
      expect(readdirSync(join(directory, '..')).sort()).toEqual(['pglite', 'template']);
    }
  });

  it('leaves a directory that holds anything to PGlite', async () => {
    const { directory, template } = setUp();
    mkdirSync(directory);
    writeFileSync(join(directory, 'half-written'), '');
    const told: Initialised[] = [];
    const starting = (way: Initialised) => told.push(way);
    expect(await initialiseDataDir(directory, { template, starting })).toBeUndefined();
    expect(told).toEqual([]);
    expect(readdirSync(directory)).toEqual(['half-written']);
  });

  it('replaces what an interrupted first start left beside the directory', async () => {
    const { directory, template } = setUp();
    mkdirSync(`${directory}.initialising`);
    writeFileSync(join(`${directory}.initialising`, 'stale'), '');
    await initialiseDataDir(directory, { template });
    expect(readdirSync(directory).sort()).toEqual(['PG_VERSION', 'base']);
    expect(existsSync(`${directory}.initialising`)).toBe(false);
  });

  it("runs PGlite's initdb in a child process when there is no template, outside this process's memory", async () => {
    const { directory } = setUp();
    const before = peakMb();
    const how = await initialiseDataDir(directory, { template: join(directory, '..', 'none') });
    expect(how).toBe('initdb');
    expect(readFileSync(join(directory, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect(existsSync(join(directory, 'base'))).toBe(true);
    expect(existsSync(`${directory}.initialising`)).toBe(false);
    // initdb in this process would raise its peak by 500-700 MB.
    expect(peakMb() - before).toBeLessThan(100);
  }, 180_000);
});

describe('initdbInChild', () => {
  it('rejects with the one line the child printed when initdb cannot run', async () => {
    const { template } = setUp();
    const underAFile = join(template, 'PG_VERSION', 'pglite');
    await expect(initdbInChild(underAFile)).rejects.toThrow(/^initdb exited with 1: .*ENOTDIR/);
  }, 60_000);
});
