import { InsufficientScopeError, JwksUnavailableError, MissingTokenError } from './core/errors.js';
import { graphqlErrorOf } from './graphql-errors.js';

describe('graphqlErrorOf', () => {
  const realm = 'https://api.example/';

  it('carries the code, the status and the challenge a REST route sends', () => {
    const error = graphqlErrorOf(
      new InsufficientScopeError(['a'], 'token lacks the required scope: a'),
      realm,
    );
    expect(error.message).toBe('token lacks the required scope: a');
    expect(error.extensions).toEqual({
      code: 'insufficient_scope',
      status: 403,
      challenge:
        'Bearer realm="https://api.example/", error="insufficient_scope", error_description="token lacks the required scope: a", scope="a"',
    });
  });

  it('answers a missing token with the bare challenge (RFC 6750 §3.1)', () => {
    expect(graphqlErrorOf(new MissingTokenError('no access token'), realm).extensions).toEqual({
      code: 'unauthorized',
      status: 401,
      challenge: 'Bearer realm="https://api.example/"',
    });
  });

  it('names the resource metadata in the challenge when a resource identifier is set (RFC 9728 §5.1)', () => {
    const metadata = 'https://api.example/.well-known/oauth-protected-resource';
    expect(
      graphqlErrorOf(new MissingTokenError('no access token'), realm, metadata).extensions
        .challenge,
    ).toBe(`Bearer realm="https://api.example/", resource_metadata="${metadata}"`);
  });

  it('answers an unavailable key set with 503 and when to retry, no challenge', () => {
    const error = new JwksUnavailableError('keys unavailable', { retryAfterSec: 7 });
    expect(graphqlErrorOf(error, realm).extensions).toEqual({
      code: 'temporarily_unavailable',
      status: 503,
      retryAfterSec: 7,
    });
  });

  it('has no stack frame, only its name and message', () => {
    const error = graphqlErrorOf(new MissingTokenError('no access token'), realm);
    expect(error.stack).toBe('GraphqlAuthError: no access token');
  });
});
