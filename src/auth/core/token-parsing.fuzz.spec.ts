import fc from 'fast-check';
import { extractBearerToken } from './bearer-token.js';
import { checkClaims } from './claims.js';
import { AuthError, InvalidRequestError, InvalidTokenError, MissingTokenError } from './errors.js';
import { readTokenHeader } from './token-header.js';

/** Fixed seed (override with FC_SEED) so a failure reproduces; fast-check prints seed and path on failure. */
const seed = Number(process.env['FC_SEED'] ?? 20261129);
const runs = { seed, numRuns: 2000 };

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Strings shaped like JWTs: random JSON or bytes in each segment, and sometimes many dots. */
const jwtLike = fc.oneof(
  fc
    .tuple(fc.jsonValue(), fc.jsonValue(), fc.string())
    .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${b64(s)}`),
  fc
    .tuple(
      fc.record({
        alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256', 'rs256'), fc.jsonValue()),
        kid: fc.jsonValue(),
        typ: fc.jsonValue(),
        crit: fc.option(fc.jsonValue(), { nil: undefined }),
      }),
      fc.jsonValue(),
    )
    .map(([h, p]) => `${b64(h)}.${b64(p)}.c2ln`),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/), { maxLength: 12 })
    .map((parts) => parts.join('.')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

const isAuthError = (error: unknown) => error instanceof AuthError;

describe('token parsing under random input (fast-check, seeded)', () => {
  it('extractBearerToken returns a b64token or throws MissingTokenError/InvalidRequestError, nothing else', () => {
    const header = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .tuple(
          fc.constantFrom('Bearer ', 'bearer  ', 'BEARER\t', 'Basic ', ''),
          fc.oneof(jwtLike, fc.string({ maxLength: 100 })),
        )
        .map(([a, b]) => a + b),
      fc.nat({ max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(header, (value) => {
        try {
          const token = extractBearerToken(value as string | string[]);
          expect(token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
          expect(token.length).toBeLessThanOrEqual(8192);
        } catch (error) {
          expect(error instanceof MissingTokenError || error instanceof InvalidRequestError).toBe(
            true,
          );
        }
      }),
      runs,
    );
  });

  it('readTokenHeader returns an allowed alg and a kid, or throws InvalidTokenError, nothing else', () => {
    fc.assert(
      fc.property(jwtLike, (token) => {
        try {
          const header = readTokenHeader(token, ['RS256']);
          expect(header.alg).toBe('RS256');
          expect(typeof header.kid).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidTokenError);
        }
      }),
      runs,
    );
  });

  it('checkClaims returns a principal or throws InvalidTokenError for any JSON, including numbers as strings', () => {
    const policy = { issuer: 'https://i/', audiences: ['a'], clockToleranceSec: 60 };
    const claims = fc.oneof(
      fc.jsonValue(),
      fc.record({
        iss: fc.oneof(fc.constant('https://i/'), fc.jsonValue()),
        aud: fc.oneof(fc.constant('a'), fc.constant(['a', 1]), fc.jsonValue()),
        exp: fc.oneof(fc.integer(), fc.constant('9999999999'), fc.double(), fc.jsonValue()),
        nbf: fc.option(fc.oneof(fc.integer(), fc.string(), fc.double()), { nil: undefined }),
        sub: fc.oneof(fc.string(), fc.jsonValue()),
        scope: fc.jsonValue(),
        permissions: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(claims, fc.integer({ min: 0, max: 2 ** 32 }), (payload, now) => {
        try {
          const principal = checkClaims(payload, policy, now);
          expect(typeof principal.sub).toBe('string');
          expect(principal.scopes.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidTokenError);
          expect(isAuthError(error)).toBe(true);
        }
      }),
      runs,
    );
  });
});
