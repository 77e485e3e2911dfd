import { bearerChallenge } from './challenge.js';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  MissingTokenError,
} from './errors.js';

const REALM = 'https://quickstarts/api';

describe('bearerChallenge', () => {
  it('names no error for a request without credentials (RFC 6750 §3.1)', () => {
    const challenge = bearerChallenge(new MissingTokenError('no access token'), REALM);
    expect(challenge).toBe('Bearer realm="https://quickstarts/api"');
    expect(challenge).not.toMatch(/error/);
  });

  it('names invalid_request with its description', () => {
    expect(bearerChallenge(new InvalidRequestError('send exactly one header'), REALM)).toBe(
      'Bearer realm="https://quickstarts/api", error="invalid_request", error_description="send exactly one header"',
    );
  });

  it('names invalid_token with its description and never the server-side detail', () => {
    const error = new InvalidTokenError('token expired', { detail: 'exp 1, now 2 kid=secret' });
    const challenge = bearerChallenge(error, REALM);
    expect(challenge).toBe(
      'Bearer realm="https://quickstarts/api", error="invalid_token", error_description="token expired"',
    );
    expect(challenge).not.toContain('secret');
  });

  it('adds the required scopes, space-separated, to insufficient_scope', () => {
    const error = new InsufficientScopeError(['read:messages', 'write:messages'], 'missing scope');
    expect(bearerChallenge(error, REALM)).toBe(
      'Bearer realm="https://quickstarts/api", error="insufficient_scope", error_description="missing scope", scope="read:messages write:messages"',
    );
  });

  it('gives no challenge for an unavailable key set (503)', () => {
    expect(bearerChallenge(new JwksUnavailableError('keys unavailable'), REALM)).toBeUndefined();
  });

  describe('resource_metadata (RFC 9728 §5.1)', () => {
    const METADATA = 'https://api.example.com/.well-known/oauth-protected-resource/v1';

    it('names the metadata URL in every challenge, after the other parameters', () => {
      expect(bearerChallenge(new MissingTokenError('no access token'), REALM, METADATA)).toBe(
        `Bearer realm="https://quickstarts/api", resource_metadata="${METADATA}"`,
      );
      expect(bearerChallenge(new InvalidTokenError('token expired'), REALM, METADATA)).toBe(
        `Bearer realm="https://quickstarts/api", error="invalid_token", error_description="token expired", resource_metadata="${METADATA}"`,
      );
      const scope = new InsufficientScopeError(['read:messages'], 'missing scope');
      expect(bearerChallenge(scope, REALM, METADATA)).toBe(
        `Bearer realm="https://quickstarts/api", error="insufficient_scope", error_description="missing scope", scope="read:messages", resource_metadata="${METADATA}"`,
      );
    });

    it('still gives no challenge for an unavailable key set', () => {
      expect(
        bearerChallenge(new JwksUnavailableError('keys unavailable'), REALM, METADATA),
      ).toBeUndefined();
    });

    it('escapes a double quote or backslash as a quoted-pair and drops control characters', () => {
      const challenge = bearerChallenge(
        new MissingTokenError('no access token'),
        REALM,
        'https://x.example/a"b\\c\r\nSet-Cookie: a',
      );
      expect(challenge).toBe(
        'Bearer realm="https://quickstarts/api", resource_metadata="https://x.example/a\\"b\\\\cSet-Cookie: a"',
      );
    });
  });

  describe('quoted values (RFC 6750 §3 quoted-string)', () => {
    it('strips double quotes and backslashes so a value cannot close its quotes', () => {
      const error = new InvalidTokenError('bad "token" \\", error="forged');
      expect(bearerChallenge(error, 'my "realm\\')).toBe(
        'Bearer realm="my realm", error="invalid_token", error_description="bad token , error=forged"',
      );
    });

    it('strips CR, LF and other control characters so no header can be injected', () => {
      const error = new InvalidTokenError('line\r\nSet-Cookie: a=b\u0000\t\u001b[31m\u007f');
      const challenge = bearerChallenge(error, 're\nalm')!;
      expect(challenge).toBe(
        'Bearer realm="realm", error="invalid_token", error_description="lineSet-Cookie: a=b[31m"',
      );
      expect(challenge).toMatch(/^[\x20-\x7e]+$/);
    });

    it('strips non-ASCII characters', () => {
      const error = new InvalidTokenError('clé 🔑 invalide\u2028');
      expect(bearerChallenge(error, 'réalm')).toBe(
        'Bearer realm="ralm", error="invalid_token", error_description="cl  invalide"',
      );
    });

    it('strips quotes from required scopes', () => {
      const error = new InsufficientScopeError(['read"', 'x\\y'], 'missing scope');
      expect(bearerChallenge(error, REALM)).toMatch(/, scope="read xy"$/);
    });

    it('keeps every allowed printable character', () => {
      const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
        .filter((c) => c !== '"' && c !== '\\')
        .join('');
      expect(bearerChallenge(new MissingTokenError('x'), printable)).toBe(
        `Bearer realm="${printable}"`,
      );
    });
  });
});
