import { parseEnv } from './env.js';
import { devResourceUrl } from './resource.env.js';

const ISSUER_ENV = {
  AUTH_ISSUER_URL: 'https://tenant.auth0.com/',
  AUTH_AUDIENCE: 'https://quickstarts/api',
};

describe('AUTH_RESOURCE_URL', () => {
  it('is unset by default', () => {
    expect(parseEnv(ISSUER_ENV).value.resourceUrl).toBeUndefined();
  });

  it('reads a resource identifier, exactly as written', () => {
    const { value, problems } = parseEnv({
      ...ISSUER_ENV,
      AUTH_RESOURCE_URL: 'https://api.example.com/v1',
    });
    expect(problems).toEqual([]);
    expect(value.resourceUrl).toBe('https://api.example.com/v1');
  });

  it('is one of the variables the development issuer mode reads (not a stray one)', () => {
    expect(parseEnv({ AUTH_RESOURCE_URL: 'http://127.0.0.1:3000/api' }).problems).toEqual([]);
  });

  it.each([
    [
      'https://api.example.com/v1#top',
      'AUTH_RESOURCE_URL must not have a fragment (RFC 8707 §2); set it like AUTH_RESOURCE_URL=https://api.example.com/v1',
    ],
    [
      'https://api.example.com/v1?x=1',
      'AUTH_RESOURCE_URL must not have a query (RFC 8707 §2); set it like AUTH_RESOURCE_URL=https://api.example.com/v1',
    ],
    [
      'http://api.example.com/v1',
      'AUTH_RESOURCE_URL must use https (plain http is accepted only for localhost/127.0.0.1); set it like AUTH_RESOURCE_URL=https://api.example.com/v1',
    ],
    [
      'api.example.com',
      'AUTH_RESOURCE_URL is not a URL; set it like AUTH_RESOURCE_URL=https://api.example.com/v1',
    ],
    [
      'https://API.example.com',
      'AUTH_RESOURCE_URL must be written as URL parsers write it, since clients send it back byte for byte; set it to AUTH_RESOURCE_URL=https://api.example.com/',
    ],
  ])('refuses %s in one line naming the variable and the fix', (AUTH_RESOURCE_URL, line) => {
    expect(parseEnv({ ...ISSUER_ENV, AUTH_RESOURCE_URL }).problems).toEqual([line]);
  });
});

describe('devResourceUrl', () => {
  it("is the /api path of the development issuer's origin", () => {
    expect(devResourceUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000/api');
    expect(devResourceUrl('http://[::1]:8080/')).toBe('http://[::1]:8080/api');
  });
});
