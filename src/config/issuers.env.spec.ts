import { parseEnv } from './env.js';

type Env = Record<string, string | undefined>;

const TWO = {
  AUTH_ISSUERS: 'auth0, okta',
  AUTH_ISSUER_AUTH0_URL: 'https://tenant.auth0.com/',
  AUTH_ISSUER_AUTH0_AUDIENCE: 'https://api.example/',
  AUTH_ISSUER_OKTA_URL: 'https://example.okta.com/oauth2/default',
  AUTH_ISSUER_OKTA_AUDIENCE: 'api://default, https://api.example/',
};

/** Asserts that `env` produces exactly one problem, naming `variable`, and returns it. */
function onlyProblem(env: Env, variable: string): string {
  const { problems } = parseEnv(env);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain(variable);
  return problems[0]!;
}

describe('AUTH_ISSUERS', () => {
  it('reads each named issuer from its AUTH_ISSUER_<NAME>_* variables, and is not the development issuer', () => {
    const { value, problems } = parseEnv({
      ...TWO,
      AUTH_ISSUER_OKTA_JWKS_URI: 'https://example.okta.com/oauth2/default/v1/keys',
      AUTH_ISSUER_OKTA_ALGORITHMS: 'RS256, Ed25519',
      AUTH_ISSUER_OKTA_CLOCK_TOLERANCE_SEC: '5',
    });
    expect(problems).toEqual([]);
    expect(value.devIssuer).toBe(false);
    expect(value.issuerUrl).toBeUndefined();
    expect(value.issuers).toEqual([
      { issuerUrl: 'https://tenant.auth0.com/', audience: ['https://api.example/'] },
      {
        issuerUrl: 'https://example.okta.com/oauth2/default',
        audience: ['api://default', 'https://api.example/'],
        jwksUri: 'https://example.okta.com/oauth2/default/v1/keys',
        algorithms: ['RS256', 'Ed25519'],
        clockToleranceSec: 5,
      },
    ]);
  });

  it('satisfies NODE_ENV=production without AUTH_ISSUER_URL', () => {
    expect(parseEnv({ ...TWO, NODE_ENV: 'production' }).problems).toEqual([]);
  });

  it('is undefined when unset', () => {
    expect(parseEnv({}).value.issuers).toBeUndefined();
  });

  it.each([
    [{ AUTH_ISSUER_URL: 'https://tenant.auth0.com/' }, 'AUTH_ISSUER_URL cannot be combined'],
    [{ AUTH_JWKS_URI: 'https://tenant.auth0.com/jwks' }, 'AUTH_JWKS_URI cannot be combined'],
    [{ AUTH_AUDIENCE: 'https://api.example/' }, 'AUTH_AUDIENCE cannot be combined'],
    [{ AUTH_ISSUERS: 'auth0,okta,auth0' }, 'AUTH_ISSUERS must list distinct names'],
    [{ AUTH_ISSUERS: 'auth0,ok-ta' }, 'AUTH_ISSUERS must list distinct names'],
    [{ AUTH_ISSUER_AUTH0_URL: undefined }, 'AUTH_ISSUER_AUTH0_URL is required by AUTH_ISSUERS'],
    [{ AUTH_ISSUER_OKTA_URL: 'http://example.okta.com/' }, 'AUTH_ISSUER_OKTA_URL must use https'],
    [{ AUTH_ISSUER_OKTA_AUDIENCE: ' , ' }, 'AUTH_ISSUER_OKTA_AUDIENCE is required by AUTH_ISSUERS'],
    [{ AUTH_ISSUER_OKTA_ALGORITHMS: 'HS256' }, 'AUTH_ISSUER_OKTA_ALGORITHMS may list only'],
    [{ AUTH_ISSUER_OKTA_ALGORITHMS: 'Ed448' }, 'AUTH_ISSUER_OKTA_ALGORITHMS may list only'],
    [
      { AUTH_ISSUER_OKTA_CLOCK_TOLERANCE_SEC: '-1' },
      'AUTH_ISSUER_OKTA_CLOCK_TOLERANCE_SEC must be',
    ],
    [{ AUTH_ISSUER_OKTA_JWKS_URI: 'not a url' }, 'AUTH_ISSUER_OKTA_JWKS_URI is not a URL'],
    [
      { AUTH_ISSUER_AZURE_URL: 'https://login.example/' },
      'AUTH_ISSUER_AZURE_URL names an issuer AUTH_ISSUERS does not list',
    ],
  ])('refuses %j with one line naming the variable', (change, line) => {
    const variable = line.split(' ')[0]!;
    expect(onlyProblem({ ...TWO, ...change }, variable)).toContain(line);
  });

  it('keeps a misspelt per-issuer variable from opening the development issuer when AUTH_ISSUERS is unset', () => {
    const { problems } = parseEnv({ AUTH_ISSUER_AUTH0_URL: 'https://tenant.auth0.com/' });
    expect(problems).toEqual([
      expect.stringMatching(/^AUTH_ISSUER_AUTH0_URL is not a variable this app reads/),
    ]);
  });
});
