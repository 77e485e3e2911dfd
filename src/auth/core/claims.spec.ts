import { checkClaims, type ClaimPolicy } from './claims.js';
import { InvalidTokenError } from './errors.js';

const NOW = 1_700_000_000;
const ISSUER = 'https://tenant.auth0.com/';
const API = 'https://quickstarts/api';
const POLICY: ClaimPolicy = { issuer: ISSUER, audiences: [API], clockToleranceSec: 60 };

/** Claims that pass every check; override per test. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: API, sub: 'auth0|user-1', exp: NOW + 3600, iat: NOW, ...overrides };
}

function rejection(
  payload: unknown,
  nowSec = NOW,
  policy: ClaimPolicy = POLICY,
): InvalidTokenError {
  let caught: unknown;
  try {
    checkClaims(payload, policy, nowSec);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  expect(caught).toMatchObject({ code: 'invalid_token', status: 401, name: 'InvalidTokenError' });
  return caught as InvalidTokenError;
}

describe('checkClaims', () => {
  it('returns the subject, the granted scopes and all claims of a valid token', () => {
    const payload = claims({ scope: 'read:messages write:messages', permissions: ['admin'] });
    expect(checkClaims(payload, POLICY, NOW)).toEqual({
      sub: 'auth0|user-1',
      scopes: ['read:messages', 'write:messages', 'admin'],
      claims: payload,
    });
  });

  it('returns no scopes when the token grants none', () => {
    expect(checkClaims(claims(), POLICY, NOW).scopes).toEqual([]);
  });

  describe('payload shape', () => {
    it.each([
      ['null', null],
      ['undefined', undefined],
      ['an array', [claims()]],
      ['a string', JSON.stringify(claims())],
      ['a number', 1],
    ])('rejects a payload that is %s', (_name, payload) => {
      expect(rejection(payload).description).toBe('malformed token: claims are not a JSON object');
    });
  });

  describe('iss', () => {
    it.each([
      ['missing', undefined],
      ['without its trailing slash', 'https://tenant.auth0.com'],
      ['in another case', 'https://TENANT.auth0.com/'],
      ['over http', 'http://tenant.auth0.com/'],
      ['with trailing whitespace', `${ISSUER} `],
      ['a look-alike host', 'https://tenant.auth0.com.evil.example/'],
      ['an array holding the issuer', [ISSUER]],
      ['empty', ''],
      ['null', null],
    ])('rejects an issuer that is %s', (_name, iss) => {
      const error = rejection(claims({ iss }));
      expect(error.description).toBe('issuer not accepted');
      expect(error.detail).toBe(`iss ${JSON.stringify(iss)}, expected ${JSON.stringify(ISSUER)}`);
    });
  });

  describe('aud', () => {
    it('accepts an array that contains the audience among others', () => {
      expect(checkClaims(claims({ aud: ['https://other/api', API] }), POLICY, NOW).sub).toBe(
        'auth0|user-1',
      );
    });

    it('accepts any of several configured audiences', () => {
      const policy = { ...POLICY, audiences: ['https://a/api', API] };
      expect(checkClaims(claims({ aud: API }), policy, NOW).sub).toBe('auth0|user-1');
    });

    it('accepts an array with non-strings when one string matches', () => {
      expect(checkClaims(claims({ aud: [42, null, { a: 1 }, API] }), POLICY, NOW).sub).toBe(
        'auth0|user-1',
      );
    });

    it.each([
      ['missing', undefined],
      ['another API', 'https://other/api'],
      ['a prefix of the audience', 'https://quickstarts'],
      ['the audience with a trailing slash', `${API}/`],
      ['in another case', API.toUpperCase()],
      ['an empty string', ''],
      ['an empty array', []],
      ['a nested array', [[API]]],
      ['an array of non-strings only', [1, null, true]],
      ['an object keyed by the audience', { [API]: true }],
      ['a comma-joined list', `https://other/api,${API}`],
      ['a space-joined list', `https://other/api ${API}`],
      ['a number', 1],
    ])('rejects an audience that is %s', (_name, aud) => {
      const error = rejection(claims({ aud }));
      expect(error.description).toBe('audience not accepted');
      expect(error.detail).toContain(`expected one of ${JSON.stringify([API])}`);
    });
  });

  describe('exp', () => {
    it.each([
      ['missing', undefined],
      ['a numeric string', String(NOW + 3600)],
      ['null', null],
      ['an array', [NOW + 3600]],
      ['a boolean', true],
      ['infinite', Infinity],
      ['NaN', NaN],
    ])('rejects an expiry that is %s', (_name, exp) => {
      expect(rejection(claims({ exp })).description).toBe('token has no valid expiry (exp)');
    });

    it('rejects an expiry that overflows to Infinity when parsed from JSON', () => {
      const payload: unknown = JSON.parse(
        `{"iss":"${ISSUER}","aud":"${API}","sub":"s","exp":1e400}`,
      );
      expect(rejection(payload).description).toBe('token has no valid expiry (exp)');
    });

    it('accepts a token until now reaches exp + tolerance', () => {
      const exp = NOW;
      expect(checkClaims(claims({ exp }), POLICY, exp + 59).sub).toBe('auth0|user-1');
      expect(checkClaims(claims({ exp }), POLICY, exp + 59.999).sub).toBe('auth0|user-1');
    });

    it('rejects a token when now is exactly exp + tolerance', () => {
      const error = rejection(claims({ exp: NOW }), NOW + 60);
      expect(error.description).toBe('token expired');
      expect(error.detail).toBe(`exp ${NOW}, now ${NOW + 60}`);
    });

    it('rejects a token at exactly exp when there is no tolerance', () => {
      const policy = { ...POLICY, clockToleranceSec: 0 };
      expect(rejection(claims({ exp: NOW }), NOW, policy).description).toBe('token expired');
      expect(checkClaims(claims({ exp: NOW }), policy, NOW - 1).sub).toBe('auth0|user-1');
    });

    it('rejects a long-expired token', () => {
      expect(rejection(claims({ exp: 0 })).description).toBe('token expired');
      expect(rejection(claims({ exp: -1e12 })).description).toBe('token expired');
    });

    it('accepts a fractional exp and compares it exactly', () => {
      expect(checkClaims(claims({ exp: NOW - 59.5 }), POLICY, NOW).sub).toBe('auth0|user-1');
      expect(rejection(claims({ exp: NOW - 60.5 })).description).toBe('token expired');
    });
  });

  describe('nbf', () => {
    it('accepts a token whose nbf is exactly now + tolerance', () => {
      expect(checkClaims(claims({ nbf: NOW + 60 }), POLICY, NOW).sub).toBe('auth0|user-1');
    });

    it('rejects a token whose nbf is one second past now + tolerance', () => {
      const error = rejection(claims({ nbf: NOW + 61 }));
      expect(error.description).toBe('token not yet valid (nbf)');
      expect(error.detail).toBe(`nbf ${NOW + 61}, now ${NOW}`);
    });

    it('rejects a token whose nbf is just in the future when there is no tolerance', () => {
      const policy = { ...POLICY, clockToleranceSec: 0 };
      expect(rejection(claims({ nbf: NOW + 1 }), NOW, policy).description).toBe(
        'token not yet valid (nbf)',
      );
      expect(checkClaims(claims({ nbf: NOW }), policy, NOW).sub).toBe('auth0|user-1');
    });

    it.each([
      ['a numeric string', String(NOW)],
      ['null', null],
      ['an array', [NOW]],
      ['an object', {}],
    ])('rejects an nbf that is %s', (_name, nbf) => {
      expect(rejection(claims({ nbf })).description).toBe('token has an invalid nbf claim');
    });
  });

  describe('iat', () => {
    it('accepts a token without iat', () => {
      expect(checkClaims(claims({ iat: undefined }), POLICY, NOW).sub).toBe('auth0|user-1');
    });

    it.each([
      ['a numeric string', String(NOW)],
      ['null', null],
      ['an array', [NOW]],
    ])('rejects an iat that is %s', (_name, iat) => {
      expect(rejection(claims({ iat })).description).toBe('token has an invalid iat claim');
    });
  });

  describe('sub', () => {
    it('accepts a unicode subject unchanged', () => {
      expect(checkClaims(claims({ sub: 'ユーザー|é' }), POLICY, NOW).sub).toBe('ユーザー|é');
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 12345],
      ['an array', ['auth0|user-1']],
      ['null', null],
    ])('rejects a subject that is %s', (_name, sub) => {
      expect(rejection(claims({ sub })).description).toBe('token has no subject (sub)');
    });
  });

  describe('order of checks', () => {
    it('checks the issuer before the audience and the expiry', () => {
      expect(rejection(claims({ iss: 'x', aud: 'y', exp: 0 })).description).toBe(
        'issuer not accepted',
      );
    });

    it('checks the audience before the expiry', () => {
      expect(rejection(claims({ aud: 'y', exp: 0 })).description).toBe('audience not accepted');
    });

    it('checks the expiry before the subject', () => {
      expect(rejection(claims({ exp: 0, sub: '' })).description).toBe('token expired');
    });
  });
});
