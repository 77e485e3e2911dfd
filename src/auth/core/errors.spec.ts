import {
  AuthError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  MissingTokenError,
} from './errors.js';

describe('auth errors', () => {
  it.each([
    [MissingTokenError, 'unauthorized', 401],
    [InvalidRequestError, 'invalid_request', 401],
    [InvalidTokenError, 'invalid_token', 401],
  ] as const)('%p carries its code, status and name', (ErrorClass, code, status) => {
    const error = new ErrorClass('what went wrong');
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe('what went wrong');
    expect(error.description).toBe('what went wrong');
  });

  it('keeps the server-side detail apart from the client-facing message', () => {
    const error = new InvalidTokenError('token expired', { detail: 'exp 1, now 2' });
    expect(error.detail).toBe('exp 1, now 2');
    expect(error.message).toBe('token expired');
    expect(String(error)).toBe('InvalidTokenError: token expired');
  });

  it('keeps the cause, and sets none when none is given', () => {
    const cause = new Error('library failure');
    expect(new InvalidTokenError('bad signature', { cause }).cause).toBe(cause);
    const plain = new InvalidTokenError('bad signature');
    expect('cause' in plain).toBe(false);
    expect(plain.detail).toBeUndefined();
  });

  it('gives insufficient_scope status 403 and the required scopes', () => {
    const error = new InsufficientScopeError(['read:messages'], 'missing read:messages');
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      name: 'InsufficientScopeError',
      description: 'missing read:messages',
      requiredScopes: ['read:messages'],
    });
  });

  it('makes an unavailable key set a 503 with a default Retry-After of 5 seconds', () => {
    const error = new JwksUnavailableError('keys unavailable');
    expect(error).toMatchObject({
      code: 'temporarily_unavailable',
      status: 503,
      name: 'JwksUnavailableError',
      retryAfterSec: 5,
    });
  });

  it('keeps a given Retry-After, cause and detail for an unavailable key set', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new JwksUnavailableError('keys unavailable', {
      cause,
      detail: 'GET https://issuer/jwks failed',
      retryAfterSec: 30,
    });
    expect(error.retryAfterSec).toBe(30);
    expect(error.cause).toBe(cause);
    expect(error.detail).toBe('GET https://issuer/jwks failed');
  });

  it('keeps a Retry-After of 0 rather than replacing it with the default', () => {
    expect(new JwksUnavailableError('x', { retryAfterSec: 0 }).retryAfterSec).toBe(0);
  });
});
