// node bench/pglite-tiers.mjs: the embedded database (PGlite, PostgreSQL compiled to WebAssembly) with V8's
// two WebAssembly tiers (Liftoff, then TurboFan for hot functions) against Liftoff only, which is what
// src/users/users.database.ts sets. Each mode runs in its own process, alternating, on a copy of one
// data directory: the resident memory after opening it, after 10 000 first sights written by the app's
// own UsersRepository from dist/ (100 per statement), and after 10 000 lastSeenAt writes (50 per
// statement); the time of each kind of statement. Prints medians and the ratios of Liftoff only to both tiers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

const print = (line) => process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: { child: { type: 'string' }, runs: { type: 'string', default: '3' } },
});

/** The app's own users repository and migrations, from `dist/` (`npm run build`). */
async function appUsers() {
  const dist = join(import.meta.dirname, '..', 'dist', 'users');
  if (!existsSync(join(dist, 'users.repository.js'))) {
    process.stderr.write('bench/pglite-tiers.mjs needs dist/: run npm run build first\n');
    process.exit(1);
  }
  const { UsersRepository } = await import(join(dist, 'users.repository.js'));
  const { migrate } = await import(join(dist, 'users.migrations.js'));
  const { drizzle } = await import('drizzle-orm/pglite');
  return { UsersRepository, migrate, drizzle };
}

if (args.child !== undefined) {
  // In a child: open the directory given, write as the app writes, print one JSON line.
  if (process.env.PGLITE_TIERS === 'liftoff') setFlagsFromString('--liftoff-only');
  const { PGlite } = await import('@electric-sql/pglite');
  const { UsersRepository, drizzle } = await appUsers();
  const rssMb = () => process.memoryUsage().rss / 1048576;
  // The options of src/users/users.database.ts, without its choice of compiler tier.
  const client = await PGlite.create(args.child, { postgresqlconf: 'shared_buffers=4MB' });
  const db = drizzle({ client });
  // UsersDatabase's one method the repository calls.
  const repository = new UsersRepository({ run: (work) => work(db) });
  await client.query('SELECT 1');
  const opened = rssMb();
  const rows = [];
  let insertMs = 0;
  for (let batch = 0; batch < 100; batch++) {
    const pairs = Array.from({ length: 100 }, (_, i) => ({
      issuer: 'https://issuer.example/',
      subject: `subject-${batch}-${i}`,
    }));
    const started = performance.now();
    rows.push(...(await repository.findOrCreateMany(pairs)));
    insertMs += performance.now() - started;
  }
  const inserted = rssMb();
  let touchMs = 0;
  for (let at = 0; at < rows.length; at += 50) {
    const lastSeenAt = new Date();
    const seen = rows.slice(at, at + 50).map(({ id }) => ({ id, lastSeenAt }));
    const started = performance.now();
    await repository.touch(seen);
    touchMs += performance.now() - started;
  }
  const touched = rssMb();
  await client.close();
  print(
    JSON.stringify({
      openedMb: opened,
      insertedMb: inserted,
      touchedMb: touched,
      insertMsPer100: insertMs / 100,
      touchMsPer50: touchMs / (rows.length / 50),
    }),
  );
  process.exit(0);
}

// The parent: one data directory with the app's schema, copied afresh for every child.
const root = mkdtempSync(join(tmpdir(), 'pglite-tiers-'));
const template = join(root, 'template');
{
  const { PGlite } = await import('@electric-sql/pglite');
  const { migrate, drizzle } = await appUsers();
  const client = await PGlite.create(template);
  await migrate(drizzle({ client }));
  await client.close();
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
