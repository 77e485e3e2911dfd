import { grantedScopes, hasScopes } from './scopes.js';

describe('grantedScopes', () => {
  it('splits the space-delimited scope claim', () => {
    expect(grantedScopes({ scope: 'openid read:messages write:messages' })).toEqual([
      'openid',
      'read:messages',
      'write:messages',
    ]);
  });

  it('ignores repeated, leading and trailing spaces in scope', () => {
    expect(grantedScopes({ scope: '  read:messages   write:messages ' })).toEqual([
      'read:messages',
      'write:messages',
    ]);
  });

  it('splits on the space character only, as RFC 6749 §3.3 delimits scopes', () => {
    expect(grantedScopes({ scope: 'read:messages\twrite:messages\nadmin' })).toEqual([
      'read:messages\twrite:messages\nadmin',
    ]);
  });

  it('returns nothing for an empty or blank scope', () => {
    expect(grantedScopes({ scope: '' })).toEqual([]);
    expect(grantedScopes({ scope: '   ' })).toEqual([]);
    expect(grantedScopes({})).toEqual([]);
  });

  it('reads scp given as an array or as a string', () => {
    expect(grantedScopes({ scp: ['read:messages', 'write:messages'] })).toEqual([
      'read:messages',
      'write:messages',
    ]);
    expect(grantedScopes({ scp: 'read:messages write:messages' })).toEqual([
      'read:messages',
      'write:messages',
    ]);
  });

  it('reads Auth0 permissions given as an array', () => {
    expect(grantedScopes({ permissions: ['read:messages'] })).toEqual(['read:messages']);
  });

  it('ignores permissions given as a string', () => {
    expect(grantedScopes({ permissions: 'read:messages admin' })).toEqual([]);
    expect(grantedScopes({ scope: 'openid', permissions: 'admin' })).toEqual(['openid']);
  });

  it('does not split array entries on spaces', () => {
    expect(grantedScopes({ scp: ['read:messages write:messages'] })).toEqual([
      'read:messages write:messages',
    ]);
  });

  it('drops non-string array entries', () => {
    expect(
      grantedScopes({ scp: [1, null, ['admin'], { admin: true }, 'read:messages', true] }),
    ).toEqual(['read:messages']);
    expect(grantedScopes({ permissions: [42, 'read:messages'] })).toEqual(['read:messages']);
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['a boolean', true],
    ['an object', { 'read:messages': true }],
  ])('ignores a scope claim that is %s', (_name, scope) => {
    expect(grantedScopes({ scope, scp: scope, permissions: scope })).toEqual([]);
  });

  it('returns the union of scope, scp and permissions in that order, without duplicates', () => {
    expect(
      grantedScopes({
        scope: 'a b a',
        scp: ['b', 'c', 'c'],
        permissions: ['c', 'd', 'a'],
      }),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps scopes that differ only in case or unicode form apart', () => {
    expect(grantedScopes({ scope: 'Read read caf\u00e9 cafe\u0301' })).toEqual([
      'Read',
      'read',
      'caf\u00e9',
      'cafe\u0301',
    ]);
  });

  it('handles a huge scope claim', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => `s${i}`);
    const scopes = grantedScopes({ scope: many.join(' ') });
    expect(scopes).toHaveLength(50_000);
    expect(scopes[49_999]).toBe('s49999');
  });
});

describe('hasScopes', () => {
  const granted = ['read:messages', 'write:messages'];

  it('requires every scope with "all"', () => {
    expect(hasScopes(granted, ['read:messages', 'write:messages'], 'all')).toBe(true);
    expect(hasScopes(granted, ['read:messages', 'delete:messages'], 'all')).toBe(false);
  });

  it('requires at least one scope with "any"', () => {
    expect(hasScopes(granted, ['delete:messages', 'write:messages'], 'any')).toBe(true);
    expect(hasScopes(granted, ['delete:messages', 'admin'], 'any')).toBe(false);
  });

  it('is satisfied by an empty requirement in both modes', () => {
    expect(hasScopes([], [], 'all')).toBe(true);
    expect(hasScopes([], [], 'any')).toBe(true);
  });

  it('is never satisfied by an empty grant when something is required', () => {
    expect(hasScopes([], ['read:messages'], 'all')).toBe(false);
    expect(hasScopes([], ['read:messages'], 'any')).toBe(false);
  });

  it.each([
    ['a prefix', ['read']],
    ['a prefix ending in the separator', ['read:']],
    ['a longer scope', ['read:messages:all']],
    ['a substring', ['ead:messag']],
    ['a wildcard', ['read:*']],
    ['another case', ['READ:MESSAGES']],
    ['a space-joined pair', ['read:messages write:messages']],
    ['surrounding whitespace', [' read:messages']],
  ])('does not match %s of a granted scope', (_name, grantedHere) => {
    expect(hasScopes(grantedHere, ['read:messages'], 'all')).toBe(false);
    expect(hasScopes(grantedHere, ['read:messages'], 'any')).toBe(false);
  });

  it('does not let a broader-looking scope stand in for a narrower one', () => {
    expect(hasScopes(['read:messages:all', 'admin'], ['read:messages'], 'all')).toBe(false);
  });

  it('is not fooled by a required scope repeated in the requirement', () => {
    expect(hasScopes(['read:messages'], ['read:messages', 'read:messages'], 'all')).toBe(true);
    expect(hasScopes(['write:messages'], ['read:messages', 'read:messages'], 'any')).toBe(false);
  });

  it('matches scopes granted through scp and permissions too', () => {
    const scopes = grantedScopes({ scp: ['read:messages'], permissions: ['write:messages'] });
    expect(hasScopes(scopes, ['read:messages', 'write:messages'], 'all')).toBe(true);
  });
});

describe('hasScopes with an unexpected match mode', () => {
  it('applies the stricter all-of rule to anything but an explicit "any"', () => {
    expect(hasScopes(['a'], ['a', 'b'], 'ALL' as never)).toBe(false);
    expect(hasScopes(['a'], ['a', 'b'], undefined as never)).toBe(false);
  });
});
