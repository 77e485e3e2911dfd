// node --expose-gc bench/users-cache-memory.mjs [--entries 16384]: the heap one entry of the known-users
// cache (USERS_CACHE_MAX_ENTRIES) holds. The app's own UsersService, UsersRepository and migrations from
// dist/ (npm run build) on an in-memory PGlite; users as Auth0 names them (issuer
// https://YOUR_TENANT.auth0.com/, subject auth0|<24 hex>). After a full garbage collection each time:
//   slots:   the empty cache, whose arrays lru-cache allocates for `max` entries up front (heap and
//            ArrayBuffers; nothing else runs meanwhile, so PGlite's memory does not move);
//   entries: the cache filled, minus the same cache cleared (the rows, keys and bookkeeping it held).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

const print = (line) => process.stdout.write(`${line}\n`);
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run it as: node --expose-gc bench/users-cache-memory.mjs\n');
  process.exit(1);
}
const { values: args } = parseArgs({ options: { entries: { type: 'string', default: '16384' } } });
const entries = Number(args.entries);

const dist = join(import.meta.dirname, '..', 'dist', 'users');
if (!existsSync(join(dist, 'users.service.js'))) {
  process.stderr.write('bench/users-cache-memory.mjs needs dist/: run npm run build first\n');
  process.exit(1);
}
const { UsersService } = await import(join(dist, 'users.service.js'));
const { UsersRepository } = await import(join(dist, 'users.repository.js'));
const { UsersDatabaseHealth } = await import(join(dist, 'users-database.health.js'));
const { usersSettings } = await import(join(dist, 'users.options.js'));
const { migrate } = await import(join(dist, 'users.migrations.js'));
const { drizzle } = await import('drizzle-orm/pglite');
// As src/users/users.database.ts opens it.
setFlagsFromString('--liftoff-only');
const { PGlite } = await import('@electric-sql/pglite');

/** The heap in use after full collections, bytes; with `buffers`, ArrayBuffers (lru-cache's typed arrays) too. */
function heapUsed(buffers = false) {
  for (let i = 0; i < 4; i += 1) globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + (buffers ? arrayBuffers : 0);
}

const client = await PGlite.create(undefined, { postgresqlconf: 'shared_buffers=16MB' });
const db = drizzle({ client });
await migrate(db);
// UsersDatabase's one method the repository calls.
const repository = new UsersRepository({ run: (work) => work(db) });
const health = new UsersDatabaseHealth();
health.markUp();
const principals = Array.from({ length: entries }, () => ({
  sub: `auth0|${randomBytes(12).toString('hex')}`,
  scopes: [],
  claims: { iss: 'https://YOUR_TENANT.auth0.com/' },
}));

const beforeService = heapUsed(true);
const service = new UsersService(usersSettings({ cacheMaxEntries: entries }), repository, health);
const empty = heapUsed(true);
for (let i = 0; i < entries; i += 500) {
  await Promise.all(principals.slice(i, i + 500).map((p) => service.storedUserFor(p)));
}
const filled = heapUsed();
// The principals are the test's, not the cache's: they stay referenced until the end.
service.known.clear();
const cleared = heapUsed();
await client.close();
if (principals.length !== entries) throw new Error('unreachable');

const perSlot = (empty - beforeService) / entries;
const perEntry = (filled - cleared) / entries;
print(`entries: ${entries}`);
print(`empty cache (arrays for max entries): ${perSlot.toFixed(1)} bytes a slot`);
print(`filled minus cleared: ${perEntry.toFixed(1)} bytes an entry`);
print(
  `total: ${(perSlot + perEntry).toFixed(0)} bytes an entry, ${(((perSlot + perEntry) * entries) / 1048576).toFixed(1)} MiB for ${entries}`,
);
