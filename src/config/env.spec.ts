import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_DEV_AUDIENCE,
  devIssuerUrl,
  parseEnv,
  readEnv,
  validateEnv,
} from './env.js';
import { DEFAULT_SERVER_LIMITS } from '../server/server-limits.js';

const ISSUER = 'https://tenant.auth0.com/';
const AUDIENCE = 'https://quickstarts/api';
/** A complete, valid configuration against a real issuer. */
const ISSUER_ENV = { AUTH_ISSUER_URL: ISSUER, AUTH_AUDIENCE: AUDIENCE };

type Env = Record<string, string | undefined>;

/** The problem lines that `env` produces. */
const problemsOf = (env: Env): string[] => parseEnv(env).problems;

/** Asserts that `env` produces exactly one problem, naming `variable`, and returns it. */
function onlyProblem(env: Env, variable: string): string {
  const problems = problemsOf(env);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain(variable);
  return problems[0]!;
}

describe('parseEnv', () => {
  describe('defaults', () => {
    it('runs the development issuer on 127.0.0.1:3000 with the quickstart audience when nothing is set', () => {
      expect(parseEnv({})).toEqual({
        value: {
          port: 3000,
          host: '127.0.0.1',
          production: false,
          devIssuer: true,
          issuerUrl: undefined,
          audiences: ['https://quickstarts/api'],
          jwksUri: undefined,
          algorithms: ['RS256'],
          clockToleranceSec: 60,
          tokenCacheMaxEntries: 16_384,
          requireAccessTokenType: false,
          tokenCacheMaxBytes: 16_777_216,
          server: DEFAULT_SERVER_LIMITS,
          docsEnabled: true,
          corsOrigins: [],
          databaseUrl: undefined,
          dataDir: resolve('data'),
          usersCacheMaxEntries: 16_384,
          observability: {
            logLevel: 'debug',
            logFormat: 'pretty',
            logRequests: true,
            metricsEnabled: true,
          },
          throttle: {
            failureLimit: 50,
            failureWindowSec: 10,
            redisUrl: undefined,
            trustProxy: false,
          },
        },
        problems: [],
      });
      expect(DEFAULT_DEV_AUDIENCE).toBe('https://quickstarts/api');
    });

    it('treats empty and blank variables as unset', () => {
      const { value, problems } = parseEnv({
        PORT: '',
        HOST: '  ',
        AUTH_ISSUER_URL: ' ',
        AUTH_AUDIENCE: '',
        AUTH_ALGORITHMS: '',
        AUTH_CLOCK_TOLERANCE_SEC: '\t',
        AUTH_JWKS_URI: '',
      });
      expect(problems).toEqual([]);
      expect(value).toMatchObject({
        port: 3000,
        host: '127.0.0.1',
        devIssuer: true,
        algorithms: ['RS256'],
        clockToleranceSec: 60,
      });
    });

    it('uses a real issuer with its configured audiences', () => {
      const { value, problems } = parseEnv({
        ...ISSUER_ENV,
        AUTH_AUDIENCE: ' https://a/api , https://b/api ,, ',
      });
      expect(problems).toEqual([]);
      expect(value).toMatchObject({
        devIssuer: false,
        issuerUrl: ISSUER,
        audiences: ['https://a/api', 'https://b/api'],
      });
    });

    it('reads every variable that is set', () => {
      const { value, problems } = parseEnv({
        NODE_ENV: 'production',
        PORT: ' 8080 ',
        HOST: '127.0.0.1',
        AUTH_ISSUER_URL: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_JWKS_URI: `${ISSUER}.well-known/jwks.json`,
        AUTH_ALGORITHMS: 'RS256, ES256',
        AUTH_CLOCK_TOLERANCE_SEC: '0',
        AUTH_TOKEN_CACHE_MAX_ENTRIES: '0',
        AUTH_REQUIRE_AT_JWT: 'true',
        AUTH_TOKEN_CACHE_MAX_BYTES: '1048576',
        DOCS_ENABLED: 'true',
        CORS_ORIGINS: 'https://app.example, http://localhost:5173',
        DATA_DIR: join(tmpdir(), 'api-data'),
        AUTH_FAILURE_LIMIT: '0',
        AUTH_FAILURE_WINDOW_SEC: '60',
        REDIS_URL: 'rediss://cache.internal:6380',
        TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
        USERS_CACHE_MAX_ENTRIES: '300',
      });
      expect(problems).toEqual([]);
      expect(value).toEqual({
        port: 8080,
        host: '127.0.0.1',
        production: true,
        devIssuer: false,
        issuerUrl: ISSUER,
        audiences: [AUDIENCE],
        jwksUri: `${ISSUER}.well-known/jwks.json`,
        algorithms: ['RS256', 'ES256'],
        clockToleranceSec: 0,
        tokenCacheMaxEntries: 0,
        requireAccessTokenType: true,
        tokenCacheMaxBytes: 1_048_576,
        server: DEFAULT_SERVER_LIMITS,
        docsEnabled: true,
        corsOrigins: ['https://app.example', 'http://localhost:5173'],
        databaseUrl: undefined,
        dataDir: join(tmpdir(), 'api-data'),
        usersCacheMaxEntries: 300,
        observability: {
          logLevel: 'info',
          logFormat: 'json',
          logRequests: true,
          metricsEnabled: true,
        },
        throttle: {
          failureLimit: 0,
          failureWindowSec: 60,
          redisUrl: 'rediss://cache.internal:6380',
          trustProxy: ['10.0.0.0/8', '127.0.0.1'],
        },
      });
    });
  });

  describe('failed-authentication throttling', () => {
    it('takes TRUST_PROXY as a hop count', () => {
      expect(parseEnv({ TRUST_PROXY: '2' }).value.throttle.trustProxy).toBe(2);
    });

    it.each(['true', '*', '10.0.0.0/33', 'proxy.internal', '0', '11'])(
      'refuses TRUST_PROXY=%s, naming the variable and the fix',
      (value) => {
        expect(onlyProblem({ TRUST_PROXY: value }, 'TRUST_PROXY')).toBe(
          'TRUST_PROXY must be the number of proxies in front of the app (1 to 10) or their addresses, like TRUST_PROXY=10.0.0.0/8,127.0.0.1 (never "true": any client could then choose its address); unset it to trust no proxy',
        );
      },
    );

    it.each([
      [
        'AUTH_FAILURE_LIMIT',
        '-1',
        'AUTH_FAILURE_LIMIT must be a whole number from 0 to 1000000; unset it to use 50',
      ],
      [
        'AUTH_FAILURE_WINDOW_SEC',
        '0',
        'AUTH_FAILURE_WINDOW_SEC must be a whole number from 1 to 86400; unset it to use 10',
      ],
      [
        'REDIS_URL',
        'localhost:6379',
        'REDIS_URL must be a redis:// or rediss:// URL, like REDIS_URL=redis://127.0.0.1:6379; unset it to keep counts in memory',
      ],
    ])('refuses %s=%s with one line', (name, value, line) => {
      expect(onlyProblem({ [name]: value }, name)).toBe(line);
    });
  });

  describe('AUTH_TOKEN_CACHE_MAX_BYTES', () => {
    it.each(['-1', '32MB', '4294967297', '1.5'])(
      'rejects %j with one line naming the variable and the default',
      (value) => {
        expect(
          onlyProblem({ AUTH_TOKEN_CACHE_MAX_BYTES: value }, 'AUTH_TOKEN_CACHE_MAX_BYTES'),
        ).toBe(
          'AUTH_TOKEN_CACHE_MAX_BYTES must be a whole number from 0 to 4294967296; unset it to use 16777216',
        );
      },
    );
  });

  describe('PORT', () => {
    it.each([
      'abc',
      '-1',
      '3.5',
      '1e3',
      '0x50',
      '65536',
      '99999999999999999999',
      '80 80',
      '٣٠٠٠',
      '+80',
    ])('rejects PORT=%j with a line naming PORT and the default', (PORT) => {
      expect(onlyProblem({ ...ISSUER_ENV, PORT }, 'PORT')).toBe(
        'PORT must be a whole number from 0 to 65535; unset it to use 3000',
      );
    });

    it('accepts the bounds 0 (with a real issuer) and 65535', () => {
      expect(parseEnv({ ...ISSUER_ENV, PORT: '0' }).value.port).toBe(0);
      expect(parseEnv({ ...ISSUER_ENV, PORT: '65535' }).value.port).toBe(65535);
    });

    it('refuses PORT=0 for the development issuer, whose URL names the port', () => {
      expect(onlyProblem({ PORT: '0' }, 'PORT')).toMatch(
        /^PORT=0 cannot serve the development issuer.*set PORT=3000 or AUTH_ISSUER_URL$/,
      );
    });
  });

  describe('HOST', () => {
    it.each(['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'])(
      'serves the development issuer on HOST=%s',
      (HOST) => {
        expect(problemsOf({ HOST })).toEqual([]);
      },
    );

    it('refuses a HOST the development issuer cannot be reached on', () => {
      expect(onlyProblem({ HOST: '192.168.1.10' }, 'HOST')).toBe(
        'HOST=192.168.1.10 cannot serve the development issuer; unset HOST, or set AUTH_ISSUER_URL',
      );
    });

    it('accepts any HOST with a real issuer', () => {
      expect(problemsOf({ ...ISSUER_ENV, HOST: '192.168.1.10' })).toEqual([]);
    });
  });

  describe('AUTH_ISSUER_URL', () => {
    it.each(['tenant.auth0.com', 'not a url', '//tenant.auth0.com/'])(
      'rejects AUTH_ISSUER_URL=%j as not a URL, with an example',
      (AUTH_ISSUER_URL) => {
        expect(onlyProblem({ ...ISSUER_ENV, AUTH_ISSUER_URL }, 'AUTH_ISSUER_URL')).toBe(
          'AUTH_ISSUER_URL is not a URL; set it like AUTH_ISSUER_URL=https://YOUR_TENANT.auth0.com/',
        );
      },
    );

    it.each([
      'http://tenant.auth0.com/',
      'ftp://tenant.auth0.com/',
      'http://localhost.evil.example/',
      'http://10.0.0.1/',
    ])('rejects AUTH_ISSUER_URL=%s: https only, http only on loopback', (AUTH_ISSUER_URL) => {
      expect(onlyProblem({ ...ISSUER_ENV, AUTH_ISSUER_URL }, 'AUTH_ISSUER_URL')).toBe(
        'AUTH_ISSUER_URL must use https (http only for localhost); set it like AUTH_ISSUER_URL=https://YOUR_TENANT.auth0.com/',
      );
    });

    it.each(['http://localhost:4000/', 'http://127.0.0.1:4000/', 'http://[::1]:4000/'])(
      'accepts plain http on loopback: %s',
      (AUTH_ISSUER_URL) => {
        expect(problemsOf({ ...ISSUER_ENV, AUTH_ISSUER_URL })).toEqual([]);
      },
    );

    it('requires an audience with a real issuer', () => {
      expect(onlyProblem({ AUTH_ISSUER_URL: ISSUER }, 'AUTH_AUDIENCE')).toBe(
        'AUTH_AUDIENCE is required with AUTH_ISSUER_URL; set it to your API identifier, like AUTH_AUDIENCE=https://quickstarts/api',
      );
    });

    it('counts an audience of only commas as missing', () => {
      expect(
        onlyProblem({ AUTH_ISSUER_URL: ISSUER, AUTH_AUDIENCE: ' , ,' }, 'AUTH_AUDIENCE'),
      ).toMatch(/^AUTH_AUDIENCE lists no audience/);
    });
  });

  it('refuses AUTH_REQUIRE_AT_JWT that is neither true nor false', () => {
    const { problems } = parseEnv({
      AUTH_ISSUER_URL: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_REQUIRE_AT_JWT: 'yes',
    });
    expect(problems).toEqual([expect.stringMatching(/^AUTH_REQUIRE_AT_JWT must be true or false/)]);
  });

  describe('development issuer safety', () => {
    it('listens on all interfaces by default once an issuer is configured', () => {
      expect(parseEnv({ AUTH_ISSUER_URL: ISSUER, AUTH_AUDIENCE: AUDIENCE }).value.host).toBe(
        '0.0.0.0',
      );
    });

    it.each(['AUTH_ISSUER', 'AUTH0_ISSUER_URL', 'AUTH_ISSUER_URI', 'AUTH0_CLIENT_SECRET'])(
      'refuses %s, an AUTH variable it does not read, rather than start the development issuer',
      (name) => {
        const { problems } = parseEnv({ [name]: 'https://tenant.auth0.com/' });
        expect(problems).toEqual([
          expect.stringMatching(
            new RegExp(`^${name} is not a variable this app reads, .*AUTH_ISSUER_URL`),
          ),
        ]);
      },
    );

    it('ignores other AUTH0_* variables once an issuer is configured', () => {
      const { problems } = parseEnv({
        AUTH0_DOMAIN: 'tenant.auth0.com',
        AUTH0_AUDIENCE: AUDIENCE,
        AUTH0_CLIENT_SECRET: 's',
      });
      expect(problems).toEqual([]);
    });
  });

  describe('production', () => {
    it.each(['Production', 'PRODUCTION', 'prod', 'Prod'])(
      'treats NODE_ENV=%s as production, so a typo never opens the development issuer',
      (nodeEnv) => {
        const { value, problems } = parseEnv({ NODE_ENV: nodeEnv });
        expect(value.devIssuer).toBe(false);
        expect(problems).toEqual([
          expect.stringMatching(/^AUTH_ISSUER_URL is required when NODE_ENV=production/),
        ]);
      },
    );

    it('refuses to start in production without an issuer', () => {
      const { value, problems } = parseEnv({ NODE_ENV: 'production' });
      expect(problems).toEqual([
        'AUTH_ISSUER_URL is required when NODE_ENV=production (the development issuer never runs in production); set it like AUTH_ISSUER_URL=https://YOUR_TENANT.auth0.com/',
      ]);
      expect(value.devIssuer).toBe(false);
      expect(value.production).toBe(true);
    });

    it('refuses production without an issuer even when an audience is set', () => {
      expect(
        onlyProblem({ NODE_ENV: 'production', AUTH_AUDIENCE: AUDIENCE }, 'AUTH_ISSUER_URL'),
      ).toMatch(/required when NODE_ENV=production/);
    });

    it('accepts production with an issuer and an audience', () => {
      expect(parseEnv({ NODE_ENV: 'production', ...ISSUER_ENV })).toMatchObject({
        value: { production: true, devIssuer: false },
        problems: [],
      });
    });

    it('trims NODE_ENV', () => {
      expect(parseEnv({ NODE_ENV: ' production ' }).value.production).toBe(true);
    });
  });

  describe('Auth0 aliases', () => {
    it.each([
      ['a bare domain', 'tenant.auth0.com'],
      ['a domain with a trailing slash', 'tenant.auth0.com/'],
      ['a domain with several trailing slashes', 'tenant.auth0.com///'],
      ['an https URL without a slash', 'https://tenant.auth0.com'],
      ['an https URL with a slash', 'https://tenant.auth0.com/'],
    ])('maps AUTH0_DOMAIN given as %s to the issuer with one trailing slash', (_name, domain) => {
      const { value, problems } = parseEnv({ AUTH0_DOMAIN: domain, AUTH_AUDIENCE: AUDIENCE });
      expect(problems).toEqual([]);
      expect(value.issuerUrl).toBe(ISSUER);
      expect(value.devIssuer).toBe(false);
    });

    it('lower-cases the domain, since Auth0 writes iss in lower case', () => {
      const { value, problems } = parseEnv({
        AUTH0_DOMAIN: 'Tenant.Auth0.COM',
        AUTH_AUDIENCE: AUDIENCE,
      });
      expect(problems).toEqual([]);
      expect(value.issuerUrl).toBe(ISSUER);
    });

    it.each(['user:pw@evil.com#', 'evil.com/path', 'tenant.auth0.com?x=1'])(
      'refuses AUTH0_DOMAIN=%s, which is not a bare host name',
      (domain) => {
        expect(
          onlyProblem({ AUTH0_DOMAIN: domain, AUTH_AUDIENCE: AUDIENCE }, 'AUTH0_DOMAIN'),
        ).toMatch(/^AUTH0_DOMAIN must be a host name/);
      },
    );

    it('reports AUTH_AUDIENCE and AUTH0_AUDIENCE that differ', () => {
      const { problems } = parseEnv({
        AUTH_ISSUER_URL: ISSUER,
        AUTH_AUDIENCE: 'a',
        AUTH0_AUDIENCE: 'b',
      });
      expect(problems).toEqual([expect.stringMatching(/^AUTH_AUDIENCE and AUTH0_AUDIENCE differ/)]);
    });

    it('names AUTH0_DOMAIN when the domain makes an http issuer', () => {
      expect(
        onlyProblem(
          { AUTH0_DOMAIN: 'http://tenant.auth0.com', AUTH_AUDIENCE: AUDIENCE },
          'AUTH0_DOMAIN',
        ),
      ).toMatch(/^AUTH0_DOMAIN must be a host name/);
    });

    it('names AUTH0_DOMAIN when the domain makes no URL', () => {
      expect(
        onlyProblem({ AUTH0_DOMAIN: 'tenant auth0 com', AUTH_AUDIENCE: AUDIENCE }, 'AUTH0_DOMAIN'),
      ).toMatch(/^AUTH0_DOMAIN must be a host name/);
    });

    it('accepts AUTH_ISSUER_URL and AUTH0_DOMAIN that name the same issuer', () => {
      expect(
        problemsOf({
          AUTH_ISSUER_URL: ISSUER,
          AUTH0_DOMAIN: 'tenant.auth0.com',
          AUTH_AUDIENCE: AUDIENCE,
        }),
      ).toEqual([]);
    });

    it('refuses AUTH_ISSUER_URL and AUTH0_DOMAIN that name different issuers', () => {
      const problem = onlyProblem(
        { AUTH_ISSUER_URL: ISSUER, AUTH0_DOMAIN: 'other.auth0.com', AUTH_AUDIENCE: AUDIENCE },
        'AUTH0_DOMAIN',
      );
      expect(problem).toBe(
        'AUTH_ISSUER_URL and AUTH0_DOMAIN name different issuers; set only one of them',
      );
    });

    it('reads AUTH0_AUDIENCE when AUTH_AUDIENCE is unset', () => {
      const { value, problems } = parseEnv({
        AUTH0_DOMAIN: 'tenant.auth0.com',
        AUTH0_AUDIENCE: 'https://a/api,https://b/api',
      });
      expect(problems).toEqual([]);
      expect(value.audiences).toEqual(['https://a/api', 'https://b/api']);
    });

    it('prefers AUTH_AUDIENCE over AUTH0_AUDIENCE', () => {
      expect(
        parseEnv({ ...ISSUER_ENV, AUTH0_AUDIENCE: 'https://other/api' }).value.audiences,
      ).toEqual([AUDIENCE]);
    });

    it('uses the audience in development-issuer mode too', () => {
      expect(parseEnv({ AUTH0_AUDIENCE: 'https://a/api' }).value).toMatchObject({
        devIssuer: true,
        audiences: ['https://a/api'],
      });
    });
  });

  describe('AUTH_JWKS_URI', () => {
    it('refuses AUTH_JWKS_URI without an issuer', () => {
      expect(onlyProblem({ AUTH_JWKS_URI: 'https://tenant.auth0.com/jwks' }, 'AUTH_JWKS_URI')).toBe(
        'AUTH_JWKS_URI needs AUTH_ISSUER_URL too; set both, or unset AUTH_JWKS_URI',
      );
    });

    it('refuses an AUTH_JWKS_URI that is not a URL, with an example', () => {
      expect(onlyProblem({ ...ISSUER_ENV, AUTH_JWKS_URI: 'jwks.json' }, 'AUTH_JWKS_URI')).toBe(
        'AUTH_JWKS_URI is not a URL; set it like AUTH_JWKS_URI=https://YOUR_TENANT.auth0.com/.well-known/jwks.json',
      );
    });

    it('refuses an AUTH_JWKS_URI over plain http to another host', () => {
      expect(
        onlyProblem(
          { ...ISSUER_ENV, AUTH_JWKS_URI: 'http://tenant.auth0.com/jwks' },
          'AUTH_JWKS_URI',
        ),
      ).toMatch(/^AUTH_JWKS_URI must use https \(http only for localhost\)/);
    });
  });

  describe('AUTH_ALGORITHMS', () => {
    it.each(['none', 'HS256', 'RS256,HS256', 'rs256', 'RS256;ES256', ',', 'RSA'])(
      'refuses AUTH_ALGORITHMS=%j with a line naming the variable',
      (AUTH_ALGORITHMS) => {
        expect(onlyProblem({ ...ISSUER_ENV, AUTH_ALGORITHMS }, 'AUTH_ALGORITHMS')).toBe(
          'AUTH_ALGORITHMS may list only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519 (never none or HS*); unset it to use RS256',
        );
      },
    );

    it('reads a comma-separated list, trimming each entry', () => {
      expect(
        parseEnv({ ...ISSUER_ENV, AUTH_ALGORITHMS: ' PS256 , ES384 ,' }).value.algorithms,
      ).toEqual(['PS256', 'ES384']);
    });
  });

  describe('AUTH_CLOCK_TOLERANCE_SEC', () => {
    it.each(['-1', '3601', '1.5', 'sixty', '60s', 'NaN', 'Infinity'])(
      'refuses AUTH_CLOCK_TOLERANCE_SEC=%j with a line naming it and the default',
      (AUTH_CLOCK_TOLERANCE_SEC) => {
        expect(
          onlyProblem({ ...ISSUER_ENV, AUTH_CLOCK_TOLERANCE_SEC }, 'AUTH_CLOCK_TOLERANCE_SEC'),
        ).toBe(
          'AUTH_CLOCK_TOLERANCE_SEC must be a whole number from 0 to 3600; unset it to use 60',
        );
      },
    );

    it('accepts the bounds 0 and 3600', () => {
      expect(
        parseEnv({ ...ISSUER_ENV, AUTH_CLOCK_TOLERANCE_SEC: '0' }).value.clockToleranceSec,
      ).toBe(0);
      expect(
        parseEnv({ ...ISSUER_ENV, AUTH_CLOCK_TOLERANCE_SEC: '3600' }).value.clockToleranceSec,
      ).toBe(3600);
    });
  });

  it('reports every mistake at once, one line each, naming its variable', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      PORT: 'eighty',
      AUTH_ISSUER_URL: 'http://tenant.auth0.com/',
      AUTH_JWKS_URI: 'not a url',
      AUTH_ALGORITHMS: 'HS256',
      AUTH_CLOCK_TOLERANCE_SEC: '-5',
    });
    expect(problems).toHaveLength(6);
    for (const [i, variable] of [
      'PORT',
      'AUTH_ISSUER_URL',
      'AUTH_AUDIENCE',
      'AUTH_JWKS_URI',
      'AUTH_ALGORITHMS',
      'AUTH_CLOCK_TOLERANCE_SEC',
    ].entries()) {
      expect(problems[i]).toMatch(new RegExp(`^${variable} `));
      expect(problems[i]).not.toContain('\n');
    }
  });

  it('reports the development-issuer mistakes together with the others', () => {
    expect(problemsOf({ PORT: '0', HOST: 'example.com', AUTH_ALGORITHMS: 'none' })).toEqual([
      expect.stringMatching(/^AUTH_ALGORITHMS /),
      expect.stringMatching(/^PORT=0 /),
      expect.stringMatching(/^HOST=example\.com /),
    ]);
  });
});

describe('readEnv', () => {
  it('returns the parsed value when there is no mistake', () => {
    expect(readEnv(ISSUER_ENV)).toEqual(parseEnv(ISSUER_ENV).value);
  });

  it('throws a ConfigError listing every mistake, one per line', () => {
    const env = { PORT: 'x', AUTH_CLOCK_TOLERANCE_SEC: 'y' };
    let caught: unknown;
    try {
      readEnv(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual(parseEnv(env).problems);
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe(error.problems.join('\n'));
  });
});

describe('validateEnv', () => {
  it('returns the environment object unchanged', () => {
    const env = { ...ISSUER_ENV, EXTRA: 'kept' };
    expect(validateEnv(env)).toBe(env);
    expect(env).toEqual({ ...ISSUER_ENV, EXTRA: 'kept' });
  });

  it('stops start-up on a mistake', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });
});

describe('devIssuerUrl', () => {
  it.each([
    ['0.0.0.0', 3000, 'http://127.0.0.1:3000/'],
    ['::', 3000, 'http://127.0.0.1:3000/'],
    ['localhost', 8080, 'http://127.0.0.1:8080/'],
    ['::1', 3000, 'http://[::1]:3000/'],
  ])('reaches HOST=%s PORT=%s at %s', (HOST, port, url) => {
    expect(devIssuerUrl(parseEnv({ HOST, PORT: String(port) }).value)).toBe(url);
  });
});

describe('DOCS_ENABLED, CORS_ORIGINS and DATA_DIR', () => {
  it('serves the docs in development and not in production unless DOCS_ENABLED=true', () => {
    expect(parseEnv({}).value.docsEnabled).toBe(true);
    expect(parseEnv({ DOCS_ENABLED: 'false' }).value.docsEnabled).toBe(false);
    const production = { ...ISSUER_ENV, NODE_ENV: 'production' };
    expect(parseEnv(production).value.docsEnabled).toBe(false);
    expect(parseEnv({ ...production, DOCS_ENABLED: 'true' }).value.docsEnabled).toBe(true);
  });

  it('rejects a DOCS_ENABLED that is not true or false', () => {
    expect(
      onlyProblem({ ...ISSUER_ENV, NODE_ENV: 'production', DOCS_ENABLED: 'yes' }, 'DOCS_ENABLED'),
    ).toBe('DOCS_ENABLED must be true or false; unset it to serve /docs never');
  });

  it('leaves CORS off by default and accepts origins or * alone', () => {
    expect(parseEnv({}).value.corsOrigins).toEqual([]);
    expect(parseEnv({ CORS_ORIGINS: '*' }).value.corsOrigins).toEqual(['*']);
    expect(parseEnv({ CORS_ORIGINS: 'https://a.example:8443' }).value.corsOrigins).toEqual([
      'https://a.example:8443',
    ]);
  });

  it.each([
    'https://a.example/',
    'https://a.example/app',
    'a.example',
    'ftp://a.example',
    '*, https://a.example',
  ])('rejects CORS_ORIGINS=%j with a line naming the form of an origin', (CORS_ORIGINS) => {
    expect(onlyProblem({ CORS_ORIGINS }, 'CORS_ORIGINS')).toMatch(
      /^CORS_ORIGINS must list origins like https:\/\/app\.example\.com .*unset it to turn CORS off$/,
    );
  });

  it.each(['0', '1000001', '-5', '16k'])(
    'rejects USERS_CACHE_MAX_ENTRIES=%j with a line naming the range and the default',
    (USERS_CACHE_MAX_ENTRIES) => {
      expect(onlyProblem({ USERS_CACHE_MAX_ENTRIES }, 'USERS_CACHE_MAX_ENTRIES')).toBe(
        'USERS_CACHE_MAX_ENTRIES must be a whole number from 1 to 1000000; unset it to use 16384',
      );
    },
  );

  it('resolves DATA_DIR against the working directory, ./data by default', () => {
    expect(parseEnv({ DATA_DIR: 'state' }).value.dataDir).toBe(resolve('state'));
    expect(parseEnv({ DATA_DIR: ' ' }).value.dataDir).toBe(resolve('data'));
  });
});
