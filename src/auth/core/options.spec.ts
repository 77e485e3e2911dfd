import { resolveAuthSettings, type AuthOptions } from './options.js';

const BASE: AuthOptions = {
  issuerUrl: 'https://tenant.auth0.com/',
  audience: 'https://quickstarts/api',
};

/** Options that pass every check, with per-test overrides (which may be deliberately ill-typed). */
function options(overrides: Record<string, unknown> = {}): AuthOptions {
  return { ...BASE, ...overrides } as AuthOptions;
}

function optionError(overrides: Record<string, unknown>): TypeError {
  let caught: unknown;
  try {
    resolveAuthSettings(options(overrides));
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TypeError);
  return caught as TypeError;
}

describe('resolveAuthSettings', () => {
  it('fills in every default', () => {
    expect(resolveAuthSettings(BASE)).toEqual({
      issuerUrl: 'https://tenant.auth0.com/',
      audiences: ['https://quickstarts/api'],
      jwksUri: undefined,
      algorithms: ['RS256'],
      clockToleranceSec: 60,
      realm: 'https://quickstarts/api',
      jwksTimeoutMs: 5000,
      jwksCacheMaxAgeMs: 600_000,
      jwksWarmUp: true,
      fetchDispatcher: undefined,
      keySetPolicy: {},
      tokenCacheMaxEntries: 16_384,
      requireAccessTokenType: false,
      tokenCacheMaxBytes: 16 * 1024 * 1024,
      issuers: [
        {
          issuerUrl: 'https://tenant.auth0.com/',
          audiences: ['https://quickstarts/api'],
          jwksUri: undefined,
          algorithms: ['RS256'],
          clockToleranceSec: 60,
        },
      ],
    });
  });

  it('keeps every option that is given', () => {
    expect(
      resolveAuthSettings({
        issuerUrl: 'http://127.0.0.1:4000/',
        audience: ['https://a/api', 'https://b/api'],
        jwksUri: 'http://localhost:4000/jwks',
        algorithms: ['ES256', 'PS512'],
        clockToleranceSec: 0,
        realm: 'messages',
        jwksTimeoutMs: 100,
        jwksCacheMaxAgeMs: 86_400_000,
        jwksWarmUp: false,
        keySetPolicy: { minFetchIntervalMs: 1000 },
        tokenCacheMaxEntries: 0,
        requireAccessTokenType: true,
        tokenCacheMaxBytes: 65_536,
      }),
    ).toEqual({
      issuerUrl: 'http://127.0.0.1:4000/',
      audiences: ['https://a/api', 'https://b/api'],
      jwksUri: 'http://localhost:4000/jwks',
      algorithms: ['ES256', 'PS512'],
      clockToleranceSec: 0,
      realm: 'messages',
      jwksTimeoutMs: 100,
      jwksCacheMaxAgeMs: 86_400_000,
      jwksWarmUp: false,
      fetchDispatcher: undefined,
      keySetPolicy: { minFetchIntervalMs: 1000 },
      tokenCacheMaxEntries: 0,
      requireAccessTokenType: true,
      tokenCacheMaxBytes: 65_536,
      issuers: [
        {
          issuerUrl: 'http://127.0.0.1:4000/',
          audiences: ['https://a/api', 'https://b/api'],
          jwksUri: 'http://localhost:4000/jwks',
          algorithms: ['ES256', 'PS512'],
          clockToleranceSec: 0,
        },
      ],
    });
  });

  it('refuses a jwksWarmUp that is not a boolean, naming the option', () => {
    expect(() => resolveAuthSettings(options({ jwksWarmUp: 'no' as never }))).toThrow(
      'AuthOptions.jwksWarmUp must be true or false',
    );
  });

  it('uses the first audience as the default realm', () => {
    expect(
      resolveAuthSettings(options({ audience: ['https://a/api', 'https://b/api'] })).realm,
    ).toBe('https://a/api');
  });

  it('copies the arrays so later changes to the options do not leak in', () => {
    const audience = ['https://a/api'];
    const algorithms = ['RS256'];
    const settings = resolveAuthSettings(options({ audience, algorithms }));
    audience.push('https://evil/api');
    algorithms.push('none');
    expect(settings.audiences).toEqual(['https://a/api']);
    expect(settings.algorithms).toEqual(['RS256']);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'https://tenant.auth0.com/'],
  ])('rejects options that are %s', (_name, value) => {
    expect(() => resolveAuthSettings(value as unknown as AuthOptions)).toThrow(
      new TypeError('AuthOptions must be an object'),
    );
  });

  describe('issuerUrl', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 1],
      ['an array', ['https://tenant.auth0.com/']],
    ])('rejects an issuerUrl that is %s', (_name, issuerUrl) => {
      expect(optionError({ issuerUrl }).message).toBe(
        'AuthOptions.issuerUrl must be a non-empty URL string',
      );
    });

    it.each(['tenant.auth0.com', 'not a url', '/relative/path'])(
      'rejects an issuerUrl that is not a URL: %j',
      (issuerUrl) => {
        expect(optionError({ issuerUrl }).message).toBe('AuthOptions.issuerUrl is not a valid URL');
      },
    );

    it.each([
      'http://tenant.auth0.com/',
      'ftp://tenant.auth0.com/',
      'file:///etc/passwd',
      'http://localhost.evil.example/',
      'http://127.0.0.1.nip.io/',
      'http://10.0.0.1/',
      'http://[::2]/',
    ])('rejects %s: https only, http only on loopback', (issuerUrl) => {
      expect(optionError({ issuerUrl }).message).toMatch(/^AuthOptions\.issuerUrl must use https/);
    });

    it.each([
      'http://localhost:3000/',
      'http://127.0.0.1/',
      'http://127.10.20.30/',
      'http://[::1]:8080/',
    ])('accepts plain http on loopback: %s', (issuerUrl) => {
      expect(resolveAuthSettings(options({ issuerUrl })).issuerUrl).toBe(issuerUrl);
    });

    it('keeps the issuerUrl exactly as given, since it is compared with iss exactly', () => {
      const issuerUrl = 'https://Tenant.auth0.com';
      expect(resolveAuthSettings(options({ issuerUrl })).issuerUrl).toBe(issuerUrl);
    });
  });

  describe('audience', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['an empty array', []],
      ['an array with an empty string', ['https://a/api', '']],
      ['an array with a number', ['https://a/api', 1]],
      ['an array with null', [null]],
      ['a number', 42],
      ['an object', { 0: 'https://a/api', length: 1 }],
    ])('rejects an audience that is %s', (_name, audience) => {
      expect(optionError({ audience }).message).toBe(
        'AuthOptions.audience must be a non-empty string or a non-empty array of them',
      );
    });
  });

  describe('jwksUri', () => {
    it('rejects an empty jwksUri', () => {
      expect(optionError({ jwksUri: '' }).message).toBe(
        'AuthOptions.jwksUri must be a non-empty URL string',
      );
    });

    it('rejects a null jwksUri rather than treating it as unset', () => {
      expect(optionError({ jwksUri: null }).message).toBe(
        'AuthOptions.jwksUri must be a non-empty URL string',
      );
    });

    it('rejects a jwksUri over plain http to another host', () => {
      expect(
        optionError({ jwksUri: 'http://tenant.auth0.com/.well-known/jwks.json' }).message,
      ).toBe(
        'AuthOptions.jwksUri must use https (plain http is accepted only for localhost/127.0.0.1)',
      );
    });

    it('rejects a jwksUri that is not a URL', () => {
      expect(optionError({ jwksUri: 'jwks.json' }).message).toBe(
        'AuthOptions.jwksUri is not a valid URL',
      );
    });
  });

  describe('algorithms', () => {
    it.each([
      ['empty', []],
      ['a string', 'RS256'],
      ['an object', { 0: 'RS256', length: 1 }],
    ])('rejects algorithms that are %s', (_name, algorithms) => {
      expect(optionError({ algorithms }).message).toBe(
        'AuthOptions.algorithms must be a non-empty array',
      );
    });

    it.each(['none', 'HS256', 'HS512', 'rs256', 'RS256 ', ''])(
      'rejects algorithms containing %j and names it',
      (alg) => {
        const message = optionError({ algorithms: ['RS256', alg] }).message;
        expect(message).toBe(
          `AuthOptions.algorithms contains ${JSON.stringify(alg)}; supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519 (none and HS* are never accepted)`,
        );
      },
    );

    it('treats null algorithms like unset ones: RS256 only', () => {
      expect(resolveAuthSettings(options({ algorithms: null })).algorithms).toEqual(['RS256']);
    });

    it('rejects a non-string algorithm', () => {
      expect(optionError({ algorithms: [256] }).message).toMatch(
        /^AuthOptions\.algorithms contains 256; supported:/,
      );
    });
  });

  describe('realm', () => {
    it.each([
      ['empty', ''],
      ['a number', 1],
    ])('rejects a realm that is %s', (_name, realm) => {
      expect(optionError({ realm }).message).toBe('AuthOptions.realm must be a non-empty string');
    });
  });

  describe.each([
    ['clockToleranceSec', 60, 0, 3600],
    ['jwksTimeoutMs', 5000, 100, 60_000],
    ['jwksCacheMaxAgeMs', 600_000, 30_000, 86_400_000],
    ['tokenCacheMaxEntries', 16_384, 0, 1_000_000],
    ['tokenCacheMaxBytes', 16_777_216, 0, 4_294_967_296],
  ] as const)('%s', (name, fallback, min, max) => {
    it(`defaults to ${fallback}`, () => {
      expect(resolveAuthSettings(BASE)[name]).toBe(fallback);
    });

    it(`accepts the bounds ${min} and ${max}`, () => {
      expect(resolveAuthSettings(options({ [name]: min }))[name]).toBe(min);
      expect(resolveAuthSettings(options({ [name]: max }))[name]).toBe(max);
    });

    it.each([
      ['just below the minimum', min - 1],
      ['just above the maximum', max + 1],
      ['fractional', min + 0.5],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a numeric string', String(min)],
      ['null', null],
      ['huge', Number.MAX_SAFE_INTEGER],
    ])('rejects a value that is %s and names the option', (_label, value) => {
      expect(optionError({ [name]: value }).message).toBe(
        `AuthOptions.${name} must be a whole number from ${min} to ${max}`,
      );
    });
  });
});

describe('keySetPolicy key-strength limits', () => {
  it('keeps maxRsaBits and rsaPublicExponents within their bounds', () => {
    const keySetPolicy = { maxRsaBits: 16_384, rsaPublicExponents: 'fips-186-5' } as const;
    expect(resolveAuthSettings(options({ keySetPolicy })).keySetPolicy).toEqual(keySetPolicy);
    expect(
      resolveAuthSettings(options({ keySetPolicy: { maxRsaBits: 2048 } })).keySetPolicy,
    ).toEqual({ maxRsaBits: 2048 });
  });

  it.each([1024, 2047, 16_385, 8192.5, '8192'])(
    'refuses maxRsaBits %p and names the option',
    (maxRsaBits) => {
      expect(optionError({ keySetPolicy: { maxRsaBits } }).message).toBe(
        'AuthOptions.keySetPolicy.maxRsaBits must be a whole number from 2048 to 16384',
      );
    },
  );

  it.each(['fips', 65537, 'FIPS-186-5', ''])(
    'refuses rsaPublicExponents %p and names the option',
    (rsaPublicExponents) => {
      expect(optionError({ keySetPolicy: { rsaPublicExponents } }).message).toBe(
        "AuthOptions.keySetPolicy.rsaPublicExponents must be one of '65537', 'fips-186-5'",
      );
    },
  );
});

describe('resource (RFC 8707, RFC 9728)', () => {
  it('is off by default: no resource, no metadata URL, the configured audiences only', () => {
    const settings = resolveAuthSettings(BASE);
    expect(settings.resource).toBeUndefined();
    expect(settings.resourceMetadataUrl).toBeUndefined();
    expect(settings.audiences).toEqual(['https://quickstarts/api']);
  });

  it('accepts the resource identifier as an audience and names its metadata URL', () => {
    const settings = resolveAuthSettings(
      options({ resource: 'https://api.example.com/v1', resourceName: 'Orders API' }),
    );
    expect(settings.audiences).toEqual(['https://quickstarts/api', 'https://api.example.com/v1']);
    expect(settings.resourceMetadataUrl).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource/v1',
    );
    expect(settings.resourceName).toBe('Orders API');
    expect(settings.realm).toBe('https://quickstarts/api');
  });

  it.each([
    ['https://api.example.com/v1#x', 'must not have a fragment (RFC 8707 §2)'],
    [
      'https://api.example.com',
      'must be written as URL parsers write it: https://api.example.com/',
    ],
    ['', 'must be a non-empty URL string'],
    [42, 'must be a non-empty URL string'],
  ])('refuses %j and names the option', (resource, message) => {
    expect(optionError({ resource }).message).toBe(`AuthOptions.resource ${message}`);
  });

  it('refuses a resourceDocumentation that is not a URL and an empty resourceName', () => {
    expect(optionError({ resourceDocumentation: 'docs' }).message).toMatch(
      /^AuthOptions.resourceDocumentation /,
    );
    expect(optionError({ resourceName: ' ' }).message).toBe(
      'AuthOptions.resourceName must be a non-empty string',
    );
  });
});

describe('failureThrottle', () => {
  it('is off unless asked for, and with limit 0', () => {
    expect(resolveAuthSettings(options()).failureThrottle).toBeUndefined();
    expect(
      resolveAuthSettings(options({ failureThrottle: false })).failureThrottle,
    ).toBeUndefined();
    expect(
      resolveAuthSettings(options({ failureThrottle: { limit: 0, windowSec: 10 } }))
        .failureThrottle,
    ).toBeUndefined();
  });

  it('takes the window in seconds and keeps it in milliseconds', () => {
    expect(
      resolveAuthSettings(
        options({
          failureThrottle: { limit: 50, windowSec: 10, redisUrl: 'redis://127.0.0.1:6379' },
        }),
      ).failureThrottle,
    ).toEqual({
      limit: 50,
      windowMs: 10_000,
      redisUrl: 'redis://127.0.0.1:6379',
      store: undefined,
    });
  });

  it.each([
    [{ windowSec: 10 }, 'AuthOptions.failureThrottle.limit is required'],
    [{ limit: 5 }, 'AuthOptions.failureThrottle.windowSec is required'],
    [
      { limit: 5, windowSec: 0 },
      'AuthOptions.failureThrottle.windowSec must be a whole number from 1 to 86400',
    ],
    [
      { limit: 5, windowSec: 1, redisUrl: 'http://x' },
      'AuthOptions.failureThrottle.redisUrl must be a redis:// or rediss:// URL',
    ],
    [
      { limit: 5, windowSec: 1, redisUrl: 'redis://x', store: {} },
      'AuthOptions.failureThrottle.redisUrl cannot be combined with failureThrottle.store',
    ],
  ])('refuses %j, naming the option', (failureThrottle, message) => {
    expect(optionError({ failureThrottle }).message).toBe(message);
  });
});
