import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { estimateHeapBytes } from './heap-size.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap that 500 parsed copies of `make(i)` hold, per copy, measured around full collections. */
function measuredBytes(make: (i: number) => unknown): number {
  const copies: unknown[] = [];
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 500; i += 1) copies.push(JSON.parse(JSON.stringify(make(i))));
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(copies).toHaveLength(500); // keeps them alive until measured
  return (after - before) / 500;
}

describe('estimateHeapBytes', () => {
  it.each([
    [
      'an Auth0 token with 250 permissions',
      (i: number) => ({
        iss: 'https://tenant.auth0.com/',
        aud: 'https://quickstarts/api',
        sub: `auth0|user-${i}`,
        iat: 1_764_600_000,
        exp: 1_764_600_300,
        permissions: Array.from({ length: 250 }, (_, p) => `read:resource-${p}`),
      }),
    ],
    [
      '500 small objects',
      (i: number) => ({ list: Array.from({ length: 500 }, (_, p) => ({ a: p, b: `x${p}-${i}` })) }),
    ],
    [
      '1,000 fractional numbers',
      (i: number) => ({ list: Array.from({ length: 1_000 }, (_, p) => p + i + 0.5) }),
    ],
    [
      '1,500 empty objects',
      (i: number) => ({ sub: `u${i}`, list: Array.from({ length: 1_500 }, () => ({})) }),
    ],
    [
      '300 distinct claims',
      (i: number) =>
        Object.fromEntries(Array.from({ length: 300 }, (_, p) => [`claim${p}`, p + i])),
    ],
    ['a long non-Latin-1 string', (i: number) => ({ name: `${'é€'.repeat(1_000)}${i}` })],
  ])('is within 0.8 to 1.3 times the heap really held by %s', (_what, make) => {
    const estimate = estimateHeapBytes(JSON.parse(JSON.stringify(make(7))));
    const real = measuredBytes(make);
    expect(estimate / real).toBeGreaterThan(0.8);
    expect(estimate / real).toBeLessThan(1.3);
  });

  it('counts 250 short permissions at more than twice their JSON length', () => {
    const claims = { permissions: Array.from({ length: 250 }, (_, p) => `read:resource-${p}`) };
    expect(estimateHeapBytes(claims)).toBeGreaterThan(2 * JSON.stringify(claims).length);
  });

  it('counts a string shared by two fields once', () => {
    const scope = 'read:messages '.repeat(100);
    expect(estimateHeapBytes({ a: scope, b: scope })).toBe(estimateHeapBytes({ a: scope, b: 1 }));
  });

  it('walks a value nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(estimateHeapBytes(deep)).toBe(100_001 * (48 + 8) - 8);
  });
});
