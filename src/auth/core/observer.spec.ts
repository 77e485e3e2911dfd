import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
} from './errors.js';
import { INVALID_TOKEN_REASONS, invalidTokenReason } from './observer.js';

describe('invalidTokenReason', () => {
  it.each([
    ['token expired', 'expired'],
    ['token not yet valid (nbf)', 'not_yet_valid'],
    ['issuer not accepted', 'issuer'],
    ['audience not accepted', 'audience'],
    ['signature verification failed', 'signature'],
    ['signing algorithm not accepted', 'algorithm'],
    ['signing key not found: unknown key id (kid)', 'unknown_kid'],
    ['signing key does not fit the token', 'key_mismatch'],
    ['token header has no valid key id (kid)', 'kid'],
    ['token type not accepted: expected an access token', 'type'],
    ['token uses unsupported critical header extensions', 'crit'],
    ['malformed token: not a signed JWT', 'malformed'],
    ['malformed token: no signature', 'malformed'],
    ['token has no valid expiry (exp)', 'claims'],
    ['token has no subject (sub)', 'claims'],
    ['token has an invalid iat claim', 'claims'],
    ['token could not be verified', 'other'],
  ])('names "%s" as %s', (description, reason) => {
    expect(invalidTokenReason(new InvalidTokenError(description))).toBe(reason);
  });

  it('only ever answers a value of the fixed list, whatever the description', () => {
    for (const description of ['', 'x'.repeat(10_000), 'token expired\n{"forged":1}', '🙂']) {
      expect(INVALID_TOKEN_REASONS).toContain(
        invalidTokenReason(new InvalidTokenError(description)),
      );
    }
  });

  it('gives no reason for the other codes', () => {
    expect(invalidTokenReason(new InvalidRequestError('bearer token too long'))).toBeUndefined();
    expect(invalidTokenReason(new InsufficientScopeError(['a'], 'token lacks'))).toBeUndefined();
    expect(invalidTokenReason(new JwksUnavailableError('down'))).toBeUndefined();
  });
});
