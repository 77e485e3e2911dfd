import type { Principal } from './claims.js';
import { estimateHeapBytes } from './heap-size.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const NOW = 1_764_600_000;
const KEYS = { hasKey: () => true };

/** A token-shaped string (only its header's kid is read) and the principal verified from it. */
function verified(n: number, permissions: number): { token: string; principal: Principal } {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k' })).toString('base64url');
  const claims = {
    sub: `user-${n}`,
    exp: NOW + 300,
    permissions: Array.from({ length: permissions }, (_, p) => `read:resource-${p}`),
  };
  return {
    token: `${header}.payload-${n}.signature`,
    principal: { sub: claims.sub, scopes: [...claims.permissions], claims },
  };
}

const cache = (maxEntries: number, maxBytes: number) =>
  new VerifiedTokenCache({ maxEntries, maxBytes }, KEYS, () => NOW);

describe('VerifiedTokenCache byte budget', () => {
  it('counts a principal by the heap its claims take, not by their JSON length', () => {
    const tokens = cache(100, 32 * 1024 * 1024);
    const { token, principal } = verified(1, 250);
    tokens.set(token, principal);
    expect(tokens.bytes).toBeGreaterThan(estimateHeapBytes(principal.claims));
    expect(tokens.bytes).toBeGreaterThan(2 * JSON.stringify(principal.claims).length);
    expect(tokens.get(token)).toBe(principal);
  });

  it('evicts the least recently used principals to stay within its bytes, whatever the entry count allows', () => {
    const budget = 16 * 1024 * 1024; // 16 KiB per entry at most
    const tokens = cache(16_384, budget);
    const all = Array.from({ length: 2_000 }, (_, n) => verified(n, 250));
    for (const { token, principal } of all) {
      tokens.set(token, principal);
      expect(tokens.bytes).toBeLessThanOrEqual(budget);
    }
    // About 12 KB each: a 16 MiB budget holds about 1,350 of them, not 2,000.
    expect(tokens.size).toBeGreaterThan(1_100);
    expect(tokens.size).toBeLessThan(1_500);
    expect(tokens.bytes).toBeGreaterThan(budget * 0.9);
    expect(tokens.get(all[1_999]!.token)).toBeDefined();
    expect(tokens.get(all[0]!.token)).toBeUndefined();
  });

  it('does not cache a token whose principal would take more than a thousandth of the budget', () => {
    const tokens = cache(100, 8 * 1024 * 1024); // 8 KiB per entry at most
    const small = verified(1, 10);
    const large = verified(2, 250); // about 12 KB
    tokens.set(small.token, small.principal);
    tokens.set(large.token, large.principal);
    expect(tokens.get(small.token)).toBe(small.principal);
    expect(tokens.get(large.token)).toBeUndefined();
    expect(tokens.size).toBe(1);
  });

  it('still stops at its entry count when entries are small', () => {
    const tokens = cache(10, 32 * 1024 * 1024);
    for (let n = 0; n < 50; n += 1) {
      const { token, principal } = verified(n, 1);
      tokens.set(token, principal);
    }
    expect(tokens.size).toBe(10);
  });
});
