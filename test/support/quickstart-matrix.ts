import type { TestIssuer } from './test-issuer.js';

/**
 * The quickstart matrix, for transports other than HTTP: how the Authorization value is made, and
 * the status and `error` an HTTP route answers with (test/messages.e2e-spec.ts).
 */
export const QUICKSTART_MATRIX = [
  { name: 'no token', authorization: () => undefined, status: 401, error: 'unauthorized' },
  {
    name: 'a bad token',
    authorization: () => 'Bearer not.a.token',
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'an expired token',
    authorization: (issuer: TestIssuer) => {
      const now = Math.floor(Date.now() / 1000);
      return `Bearer ${issuer.token({ claims: { iat: now - 900, exp: now - 600 } })}`;
    },
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'a token for another audience',
    authorization: (issuer: TestIssuer) =>
      `Bearer ${issuer.token({ claims: { aud: 'https://other.example/api' } })}`,
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'a valid token without the scope',
    authorization: (issuer: TestIssuer) =>
      `Bearer ${issuer.token({ claims: { scope: 'orders:write' } })}`,
    status: 403,
    error: 'insufficient_scope',
  },
  {
    name: 'a valid token with the scope',
    authorization: (issuer: TestIssuer) =>
      `Bearer ${issuer.token({ claims: { scope: 'orders:read' } })}`,
    status: 200,
    error: undefined,
  },
] as const;
