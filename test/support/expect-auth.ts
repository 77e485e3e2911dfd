import type { Reply } from './http.js';

/** A 401 `invalid_token` whose body and RFC 6750 challenge both give a description matching `description`. */
export function expectInvalidToken(reply: Reply, description: RegExp): void {
  expect(reply.status).toBe(401);
  expect(reply.body).toMatchObject({
    error: 'invalid_token',
    error_description: expect.stringMatching(description),
  });
  expect(reply.challenge).toMatch(
    /^Bearer realm="[^"]+", error="invalid_token", error_description="/,
  );
  expect(reply.challenge).toMatch(description);
}
