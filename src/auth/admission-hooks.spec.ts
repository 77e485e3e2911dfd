import type { ExecutionContext } from '@nestjs/common';
import { AdmissionHooks } from './admission-hooks.js';
import type { Principal } from './core/claims.js';

const principal = { sub: 'alice', scopes: [], claims: {} } as unknown as Principal;
const context = {} as ExecutionContext;

describe('AdmissionHooks', () => {
  it('answers synchronously when no hook leaves work pending', () => {
    const hooks = new AdmissionHooks();
    const seen: string[] = [];
    hooks.add((p) => void seen.push(p.sub));
    expect(hooks.run(principal, context)).toBeUndefined();
    expect(seen).toEqual(['alice']);
  });

  it('returns a promise that settles once every pending hook has', async () => {
    const hooks = new AdmissionHooks();
    const done: number[] = [];
    const later = (n: number, ms: number) => () =>
      new Promise<void>((resolve) => setTimeout(() => resolve(void done.push(n)), ms));
    hooks.add(later(1, 20));
    hooks.add(() => undefined);
    hooks.add(later(2, 5));
    await hooks.run(principal, context);
    expect(done.sort()).toEqual([1, 2]);
  });
});
