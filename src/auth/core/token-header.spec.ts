import type { SignatureAlgorithm } from './algorithms.js';
import { InvalidTokenError } from './errors.js';
import { decodeJsonSegment, readTokenHeader } from './token-header.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const PAYLOAD = b64({ sub: 'user-1' });
const SIGNATURE = Buffer.from('not really a signature').toString('base64url');
const RS256: readonly SignatureAlgorithm[] = ['RS256'];

/** A compact JWS whose header is `header`, with a non-empty signature unless told otherwise. */
function jws(header: unknown, signature = SIGNATURE): string {
  return `${b64(header)}.${PAYLOAD}.${signature}`;
}

function rejection(
  token: string,
  allowed: readonly SignatureAlgorithm[] = RS256,
): InvalidTokenError {
  let caught: unknown;
  try {
    readTokenHeader(token, allowed);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  expect(caught).toMatchObject({ code: 'invalid_token', status: 401, name: 'InvalidTokenError' });
  return caught as InvalidTokenError;
}

describe('readTokenHeader', () => {
  describe('accepts', () => {
    it('returns alg and kid of a well-formed RS256 header', () => {
      expect(readTokenHeader(jws({ alg: 'RS256', kid: 'key-1' }), RS256)).toEqual({
        alg: 'RS256',
        kid: 'key-1',
      });
    });

    it('returns only alg and kid, dropping every other header field', () => {
      const header = readTokenHeader(
        jws({ alg: 'RS256', kid: 'k', typ: 'JWT', jku: 'https://evil.example/jwks', x5u: 'x' }),
        RS256,
      );
      expect(header).toEqual({ alg: 'RS256', kid: 'k' });
    });

    it('accepts any algorithm on the allowlist', () => {
      expect(readTokenHeader(jws({ alg: 'ES256', kid: 'k' }), ['RS256', 'ES256']).alg).toBe(
        'ES256',
      );
    });

    it.each(['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt', 'application/jwt'])(
      'accepts typ %j',
      (typ) => {
        expect(readTokenHeader(jws({ alg: 'RS256', kid: 'k', typ }), RS256).kid).toBe('k');
      },
    );

    it('accepts a header without typ', () => {
      expect(readTokenHeader(jws({ alg: 'RS256', kid: 'k' }), RS256).kid).toBe('k');
    });

    it('accepts a kid of exactly 256 characters', () => {
      const kid = 'k'.repeat(256);
      expect(readTokenHeader(jws({ alg: 'RS256', kid }), RS256).kid).toBe(kid);
    });

    it('accepts a unicode kid', () => {
      expect(readTokenHeader(jws({ alg: 'RS256', kid: 'clé-🔑' }), RS256).kid).toBe('clé-🔑');
    });
  });

  describe('token shape', () => {
    it.each([
      ['an empty string', ''],
      ['one segment', 'abc'],
      ['two segments', `${b64({ alg: 'RS256', kid: 'k' })}.${PAYLOAD}`],
      ['four segments', `${jws({ alg: 'RS256', kid: 'k' })}.extra`],
      ['a JWE (five segments)', 'a.b.c.d.e'],
      ['an empty header segment', `.${PAYLOAD}.${SIGNATURE}`],
      ['an empty payload segment', `${b64({ alg: 'RS256', kid: 'k' })}..${SIGNATURE}`],
      ['base64 padding', `${b64({ alg: 'RS256', kid: 'k' })}=.${PAYLOAD}.${SIGNATURE}`],
      ['standard base64 "+" and "/"', `${b64({ alg: 'RS256', kid: 'k' })}.a+b/c.${SIGNATURE}`],
      ['whitespace', `${b64({ alg: 'RS256', kid: 'k' })} .${PAYLOAD}.${SIGNATURE}`],
      ['non-ASCII letters', `${b64({ alg: 'RS256', kid: 'k' })}.é.${SIGNATURE}`],
      ['a non-base64url signature', jws({ alg: 'RS256', kid: 'k' }, 'si=g')],
    ])('rejects %s as not a signed JWT', (_name, token) => {
      const error = rejection(token);
      expect(error.description).toBe('malformed token: not a signed JWT');
      expect(error.detail).toMatch(/segment\(s\) or non-base64url characters$/);
    });

    it('never puts the token itself into the detail', () => {
      const token = `${'x'.repeat(40)}.y`;
      expect(rejection(token).detail).not.toContain('xxxx');
    });

    it.each([
      ['a JSON array', [{ alg: 'RS256', kid: 'k' }]],
      ['JSON null', null],
      ['a JSON string', 'RS256'],
      ['a JSON number', 256],
    ])('rejects a header that is %s', (_name, header) => {
      expect(rejection(jws(header)).description).toBe(
        'malformed token: header is not a JSON object',
      );
    });

    it('rejects a header that is not JSON at all', () => {
      const token = `${Buffer.from('{alg:RS256}').toString('base64url')}.${PAYLOAD}.${SIGNATURE}`;
      expect(rejection(token).description).toBe('malformed token: header is not a JSON object');
    });

    it('rejects a header segment that decodes to binary junk', () => {
      expect(rejection(`AAAA.${PAYLOAD}.${SIGNATURE}`).description).toBe(
        'malformed token: header is not a JSON object',
      );
    });
  });

  describe('alg (RFC 8725 §3.1)', () => {
    it('names alg "none" as not accepted, even with an empty signature', () => {
      const error = rejection(jws({ alg: 'none', kid: 'k' }, ''));
      expect(error.description).toBe('signing algorithm not accepted');
      expect(error.detail).toBe('alg "none" not in [RS256]');
    });

    it.each(['none', 'None', 'NONE', 'nOnE'])('rejects alg %j with a signature present', (alg) => {
      expect(rejection(jws({ alg, kid: 'k' })).description).toBe('signing algorithm not accepted');
    });

    it.each(['HS256', 'HS384', 'HS512'])('rejects HMAC alg %s (key confusion)', (alg) => {
      expect(rejection(jws({ alg, kid: 'k' })).description).toBe('signing algorithm not accepted');
    });

    it('rejects HS256 even when a caller smuggles it into the allowlist', () => {
      const allowed = ['RS256', 'HS256'] as unknown as readonly SignatureAlgorithm[];
      expect(rejection(jws({ alg: 'HS256', kid: 'k' }), allowed).description).toBe(
        'signing algorithm not accepted',
      );
    });

    it('rejects a supported algorithm that is not on the allowlist', () => {
      const error = rejection(jws({ alg: 'PS256', kid: 'k' }), ['RS256', 'ES256']);
      expect(error.description).toBe('signing algorithm not accepted');
      expect(error.detail).toBe('alg "PS256" not in [RS256, ES256]');
    });

    it.each([
      ['lower case', 'rs256'],
      ['padded with spaces', ' RS256'],
      ['empty', ''],
      ['an array', ['RS256']],
      ['a number', 256],
      ['null', null],
      ['an object', { name: 'RS256' }],
    ])('rejects alg given as %s', (_name, alg) => {
      expect(rejection(jws({ alg, kid: 'k' })).description).toBe('signing algorithm not accepted');
    });

    it('rejects a header with no alg', () => {
      const error = rejection(jws({ kid: 'k' }));
      expect(error.description).toBe('signing algorithm not accepted');
      expect(error.detail).toBe('alg undefined not in [RS256]');
    });

    it('rejects everything when the allowlist is empty', () => {
      expect(rejection(jws({ alg: 'RS256', kid: 'k' }), []).description).toBe(
        'signing algorithm not accepted',
      );
    });

    it('uses the last alg when the header repeats the member', () => {
      const header = Buffer.from('{"alg":"RS256","alg":"none","kid":"k"}').toString('base64url');
      expect(rejection(`${header}.${PAYLOAD}.${SIGNATURE}`).description).toBe(
        'signing algorithm not accepted',
      );
    });

    it('does not take alg from a __proto__ member', () => {
      const header = Buffer.from('{"__proto__":{"alg":"RS256"},"kid":"k"}').toString('base64url');
      expect(rejection(`${header}.${PAYLOAD}.${SIGNATURE}`).description).toBe(
        'signing algorithm not accepted',
      );
    });
  });

  describe('crit (RFC 7515 §4.1.11)', () => {
    it.each([
      ['an empty array', []],
      ['a list of extensions', ['b64']],
      ['a string', 'exp'],
      ['null', null],
      ['false', false],
    ])('rejects crit given as %s', (_name, crit) => {
      expect(rejection(jws({ alg: 'RS256', kid: 'k', crit, b64: false })).description).toBe(
        'token uses unsupported critical header extensions',
      );
    });
  });

  describe('typ (RFC 8725 §3.11)', () => {
    it.each([
      'id_token',
      'logout+jwt',
      'dpop+jwt',
      'secevent+jwt',
      'JWS',
      'JOSE',
      'application/jose',
      '',
      ' JWT',
      'JWT ',
      'at+jwt; charset=utf-8',
    ])('rejects typ %j', (typ) => {
      const error = rejection(jws({ alg: 'RS256', kid: 'k', typ }));
      expect(error.description).toBe('token type not accepted: expected an access token');
      expect(error.detail).toBe(`typ ${JSON.stringify(typ)}`);
    });

    it.each([
      ['null', null],
      ['an array', ['JWT']],
      ['a number', 1],
      ['an object', {}],
    ])('rejects typ given as %s', (_name, typ) => {
      expect(rejection(jws({ alg: 'RS256', kid: 'k', typ })).description).toBe(
        'token type not accepted: expected an access token',
      );
    });
  });

  describe('kid', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 1],
      ['an array', ['k']],
      ['null', null],
      ['an object', { id: 'k' }],
      ['257 characters long', 'k'.repeat(257)],
      ['huge', 'k'.repeat(100_000)],
    ])('rejects a kid that is %s', (_name, kid) => {
      expect(rejection(jws({ alg: 'RS256', kid })).description).toBe(
        'token header has no valid key id (kid)',
      );
    });
  });

  describe('signature', () => {
    it('rejects an allowed algorithm with an empty signature', () => {
      expect(rejection(jws({ alg: 'RS256', kid: 'k' }, '')).description).toBe(
        'malformed token: no signature',
      );
    });
  });

  describe('order of checks', () => {
    it('reports the algorithm before crit, typ and kid', () => {
      expect(rejection(jws({ alg: 'HS256', crit: [], typ: 'JOSE' })).description).toBe(
        'signing algorithm not accepted',
      );
    });

    it('reports crit before typ and kid', () => {
      expect(rejection(jws({ alg: 'RS256', crit: [], typ: 'JOSE' })).description).toBe(
        'token uses unsupported critical header extensions',
      );
    });

    it('reports typ before kid', () => {
      expect(rejection(jws({ alg: 'RS256', typ: 'JOSE' })).description).toBe(
        'token type not accepted: expected an access token',
      );
    });
  });
});

describe('decodeJsonSegment', () => {
  it('decodes a base64url JSON object', () => {
    expect(decodeJsonSegment(b64({ a: 1, b: 'é' }))).toEqual({ a: 1, b: 'é' });
  });

  it.each([
    ['an array', b64([1])],
    ['null', b64(null)],
    ['a string', b64('x')],
    ['a number', b64(1)],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['empty', ''],
  ])('returns undefined for %s', (_name, segment) => {
    expect(decodeJsonSegment(segment)).toBeUndefined();
  });
});

describe('readTokenHeader with requireAccessTokenType (RFC 9068 §4)', () => {
  const strict = { requireAccessTokenType: true };
  const header = (typ?: unknown) =>
    `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k', ...(typ === undefined ? {} : { typ }) })).toString('base64url')}.e30.c2ln`;

  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT'])('accepts typ %s', (typ) => {
    expect(readTokenHeader(header(typ), ['RS256'], strict)).toEqual({ alg: 'RS256', kid: 'k' });
  });

  it.each([undefined, 'JWT', 'application/jwt', 'dpop+jwt', 42])('refuses typ %s', (typ) => {
    expect(() => readTokenHeader(header(typ), ['RS256'], strict)).toThrow(
      'token type not accepted: expected an access token',
    );
  });
});
