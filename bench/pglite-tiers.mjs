// node bench/pglite-tiers.mjs: the embedded database (PGlite, PostgreSQL compiled to WebAssembly) with V8's
// two WebAssembly tiers (Liftoff, then TurboFan for hot functions) against Liftoff only, which is what
// src/users/users.database.ts sets. Each mode runs in its own process, alternating, on a copy of one
// data directory: the resident memory after opening it, after 10 000 first sights written as the app
// writes them (100 per statement), and after 10 000 lastSeenAt writes (50 per statement); the time of
// each kind of statement. Prints medians and the ratios of Liftoff only to both tiers.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

const print = (line) => process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: { child: { type: 'string' }, runs: { type: 'string', default: '3' } },
});

if (args.child !== undefined) {
  // In a child: open the directory given, write, print one JSON line.
  if (process.env.PGLITE_TIERS === 'liftoff') setFlagsFromString('--liftoff-only');
  const { PGlite } = await import('@electric-sql/pglite');
  const rssMb = () => process.memoryUsage().rss / 1048576;
  const pg = await PGlite.create(args.child, { postgresqlconf: 'shared_buffers=16MB' });
  await pg.query('SELECT 1');
  const opened = rssMb();
  const ids = [];
  let insertMs = 0;
  for (let batch = 0; batch < 100; batch++) {
    const params = [];
    const rows = [];
    for (let i = 0; i < 100; i++) {
      params.push('https://issuer.example/', `subject-${batch}-${i}`);
      rows.push(`($${params.length - 1}, $${params.length})`);
    }
    const started = performance.now();
    const result = await pg.query(
      `INSERT INTO users (issuer, subject) VALUES ${rows.join(',')}
       ON CONFLICT (issuer, subject) DO UPDATE SET issuer = EXCLUDED.issuer RETURNING id`,
      params,
    );
    insertMs += performance.now() - started;
    ids.push(...result.rows.map((row) => row.id));
  }
  const inserted = rssMb();
  let touchMs = 0;
  for (let at = 0; at < ids.length; at += 50) {
    const seen = new Date().toISOString();
    const rows = JSON.stringify(ids.slice(at, at + 50).map((id) => ({ id, seen })));
    const started = performance.now();
    await pg.query(
      `UPDATE users SET last_seen_at = GREATEST(users.last_seen_at, s.seen)
       FROM json_to_recordset($1::json) AS s(id uuid, seen timestamptz) WHERE users.id = s.id`,
      [rows],
    );
    touchMs += performance.now() - started;
  }
  const touched = rssMb();
  await pg.close();
  print(
    JSON.stringify({
      openedMb: opened,
      insertedMb: inserted,
      touchedMb: touched,
      insertMsPer100: insertMs / 100,
      touchMsPer50: touchMs / (ids.length / 50),
    }),
  );
  process.exit(0);
}

// The parent: one data directory with the users table, copied afresh for every child.
const root = mkdtempSync(join(tmpdir(), 'pglite-tiers-'));
const template = join(root, 'template');
{
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(template);
  await pg.exec(`CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), issuer text NOT NULL, subject text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), last_seen_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, subject))`);
  await pg.close();
}

const modes = ['both', 'liftoff'];
const results = { both: [], liftoff: [] };
const runs = Number(args.runs);
for (let run = 0; run < runs; run++) {
  for (const mode of modes) {
    const dir = join(root, `${mode}-${run}`);
    cpSync(template, dir, { recursive: true });
    const child = spawnSync(process.execPath, [import.meta.filename, '--child', dir], {
      env: { ...process.env, PGLITE_TIERS: mode },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (child.status !== 0) throw new Error(`${mode} run ${run} failed: ${child.stderr}`);
    results[mode].push(JSON.parse(child.stdout.trim().split('\n').pop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(root, { recursive: true, force: true });

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const fields = [
  ['openedMb', 'RSS after opening (MB)'],
  ['insertedMb', 'RSS after 10 000 first sights (MB)'],
  ['touchedMb', 'RSS after 10 000 lastSeenAt writes (MB)'],
  ['insertMsPer100', 'ms per statement of 100 first sights'],
  ['touchMsPer50', 'ms per statement of 50 lastSeenAt writes'],
];
print(`PGlite, ${runs} runs per mode, medians (Node ${process.version})\n`);
print('| measure | both tiers | Liftoff only | Liftoff ÷ both |');
print('|---|---:|---:|---:|');
for (const [field, label] of fields) {
  const both = median(results.both.map((r) => r[field]));
  const liftoff = median(results.liftoff.map((r) => r[field]));
  print(
    `| ${label} | ${both.toFixed(1)} | ${liftoff.toFixed(1)} | ${(liftoff / both).toFixed(2)} |`,
  );
}
