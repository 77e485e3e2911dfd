import { extractBearerToken, MAX_TOKEN_LENGTH } from './bearer-token.js';
import { InvalidRequestError, MissingTokenError } from './errors.js';

/** Runs `fn`, which must throw, and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

function expectMissing(header: string | undefined, description: RegExp): void {
  const error = thrown(() => extractBearerToken(header));
  expect(error).toBeInstanceOf(MissingTokenError);
  expect(error).toMatchObject({ code: 'unauthorized', status: 401, name: 'MissingTokenError' });
  expect((error as MissingTokenError).description).toMatch(description);
}

function expectInvalidRequest(header: string | string[], description: RegExp): void {
  const error = thrown(() => extractBearerToken(header));
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error).toMatchObject({
    code: 'invalid_request',
    status: 401,
    name: 'InvalidRequestError',
  });
  expect((error as InvalidRequestError).description).toMatch(description);
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('extractBearerToken', () => {
  describe('accepts', () => {
    it('returns the token of a well-formed Bearer header', () => {
      expect(extractBearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    });

    it('treats the scheme name case-insensitively', () => {
      expect(extractBearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
      expect(extractBearerToken(`BEARER ${TOKEN}`)).toBe(TOKEN);
      expect(extractBearerToken(`bEaReR ${TOKEN}`)).toBe(TOKEN);
    });

    it('allows several spaces between scheme and token (1*SP)', () => {
      expect(extractBearerToken(`Bearer    ${TOKEN}`)).toBe(TOKEN);
    });

    it('accepts every b64token character and trailing padding', () => {
      expect(extractBearerToken('Bearer aZ09-._~+/==')).toBe('aZ09-._~+/==');
    });

    it('accepts a token of exactly MAX_TOKEN_LENGTH characters', () => {
      const token = 'a'.repeat(MAX_TOKEN_LENGTH);
      expect(extractBearerToken(`Bearer ${token}`)).toBe(token);
    });
  });

  describe('no credentials', () => {
    it('reports a missing header as MissingTokenError', () => {
      expectMissing(undefined, /^no access token: send an Authorization: Bearer <token> header$/);
    });

    it('answers another scheme like no credentials (RFC 6750 §3.1)', () => {
      expectMissing('Basic dXNlcjpwYXNz', /^unsupported authorization scheme: use Bearer$/);
      expectMissing('Basic', /unsupported authorization scheme/);
      expectMissing('DPoP abc', /unsupported authorization scheme/);
    });

    it('does not mistake a scheme that merely starts with Bearer for Bearer', () => {
      expectMissing('Bearerx abc', /unsupported authorization scheme/);
      expectMissing('Bearer_ abc', /unsupported authorization scheme/);
      expectMissing(`Bearer:${TOKEN}`, /unsupported authorization scheme/);
    });
  });

  describe('rejects as invalid_request', () => {
    it('rejects several Authorization headers sent as an array', () => {
      expectInvalidRequest([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`], /^send exactly one/);
    });

    it('rejects a single-element array too: the caller must pass the plain header', () => {
      expectInvalidRequest([`Bearer ${TOKEN}`], /^send exactly one Authorization header$/);
      expectInvalidRequest([], /^send exactly one Authorization header$/);
    });

    it('rejects an empty or blank header', () => {
      expectInvalidRequest('', /^malformed Authorization header/);
      expectInvalidRequest('   ', /^malformed Authorization header/);
    });

    it('rejects the Bearer scheme with no token', () => {
      expectInvalidRequest('Bearer', /^malformed Authorization header/);
      expectInvalidRequest('Bearer ', /^malformed Authorization header/);
      expectInvalidRequest('Bearer    ', /^malformed Authorization header/);
    });

    it('rejects a token with trailing junk after it', () => {
      expectInvalidRequest(`Bearer ${TOKEN} extra`, /^malformed Authorization header/);
      expectInvalidRequest(`Bearer ${TOKEN} `, /^malformed Authorization header/);
      expectInvalidRequest(`Bearer ${TOKEN}\n`, /^malformed Authorization header/);
      expectInvalidRequest(`Bearer ${TOKEN}\r\nX-Injected: 1`, /^malformed Authorization header/);
    });

    it('rejects two tokens separated by a comma', () => {
      expectInvalidRequest(`Bearer ${TOKEN}, Bearer ${TOKEN}`, /^malformed Authorization header/);
    });

    it('rejects leading whitespace before the scheme', () => {
      expectInvalidRequest(` Bearer ${TOKEN}`, /^malformed Authorization header/);
    });

    it('rejects separators other than a plain space', () => {
      expectInvalidRequest(`Bearer\t${TOKEN}`, /^malformed Authorization header/);
      expectInvalidRequest(`Bearer\u00a0${TOKEN}`, /^malformed Authorization header/);
      expectInvalidRequest(`Bearer\u3000${TOKEN}`, /^malformed Authorization header/);
    });

    it('rejects characters outside the b64token grammar', () => {
      for (const token of ['abc"def', 'abc,def', 'a;b', 'a\\b', 'a%20b', 'a<b>', 'a*b']) {
        expectInvalidRequest(`Bearer ${token}`, /^malformed bearer token: only letters, digits/);
      }
    });

    it('rejects unicode in the token, including look-alike letters', () => {
      expectInvalidRequest('Bearer tökén', /may appear \(RFC 6750 b64token\)/);
      // Cyrillic "а" looks like Latin "a".
      expectInvalidRequest('Bearer \u0430bc', /may appear \(RFC 6750 b64token\)/);
      expectInvalidRequest('Bearer abc\u200b', /may appear \(RFC 6750 b64token\)/);
      expectInvalidRequest('Bearer 🔑', /may appear \(RFC 6750 b64token\)/);
    });

    it('rejects padding anywhere but at the end, or padding alone', () => {
      expectInvalidRequest('Bearer ab=c', /may appear \(RFC 6750 b64token\)/);
      expectInvalidRequest('Bearer =abc', /may appear \(RFC 6750 b64token\)/);
      expectInvalidRequest('Bearer ===', /may appear \(RFC 6750 b64token\)/);
    });

    it('rejects a header longer than the limit before parsing it', () => {
      expectInvalidRequest(
        `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 16)}`,
        /^Authorization header too long$/,
      );
      // Even a header with another scheme is refused for its size, not answered as "no credentials".
      expectInvalidRequest(
        `Basic ${'a'.repeat(MAX_TOKEN_LENGTH + 16)}`,
        /^Authorization header too long$/,
      );
    });

    it('rejects a huge header by its size', () => {
      expectInvalidRequest(`Bearer ${'a'.repeat(10_000_000)}`, /^Authorization header too long$/);
    });

    it('rejects a token one character over MAX_TOKEN_LENGTH that fits in the header limit', () => {
      expectInvalidRequest(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`, /^bearer token too long$/);
    });
  });
});
