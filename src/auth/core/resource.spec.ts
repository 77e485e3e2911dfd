import {
  acceptedAudiences,
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
  resourceIdentifierProblem,
} from './resource.js';

describe('resourceIdentifierProblem', () => {
  it.each([
    'https://api.example.com/',
    'https://api.example.com/v1',
    'https://api.example.com/v1/',
    'http://127.0.0.1:3000/api',
    'http://localhost:8080/',
  ])('accepts %s', (value) => {
    expect(resourceIdentifierProblem(value)).toBeUndefined();
  });

  it.each([
    ['https://api.example.com/v1#top', /fragment/],
    ['https://api.example.com/v1?tenant=a', /query/],
    ['http://api.example.com/', /https/],
    ['api.example.com', /not a valid URL/],
    ['https://user:secret@api.example.com/', /credentials/],
  ])('refuses %s', (value, reason) => {
    expect(resourceIdentifierProblem(value)).toMatch(reason);
  });

  it.each([
    ['https://api.example.com', 'https://api.example.com/'],
    ['https://API.example.com/v1', 'https://api.example.com/v1'],
    ['https://api.example.com:443/v1', 'https://api.example.com/v1'],
  ])('names the form clients send back for %s', (value, canonical) => {
    expect(resourceIdentifierProblem(value)).toBe(
      `must be written as URL parsers write it: ${canonical}`,
    );
  });
});

describe('protectedResourceMetadataUrl (RFC 9728 §3.1)', () => {
  it.each([
    ['https://api.example.com/', 'https://api.example.com/.well-known/oauth-protected-resource'],
    [
      'https://api.example.com/v1',
      'https://api.example.com/.well-known/oauth-protected-resource/v1',
    ],
    [
      'https://api.example.com/v1/',
      'https://api.example.com/.well-known/oauth-protected-resource/v1/',
    ],
    ['http://127.0.0.1:3000/api', 'http://127.0.0.1:3000/.well-known/oauth-protected-resource/api'],
  ])('inserts the well-known path between the host and the path of %s', (resource, url) => {
    expect(protectedResourceMetadataUrl(resource)).toBe(url);
  });

  it('serves the suffixed path and the root one, or the root one alone', () => {
    expect(protectedResourceMetadataPaths('https://api.example.com/v1')).toEqual([
      '/.well-known/oauth-protected-resource/v1',
      '/.well-known/oauth-protected-resource',
    ]);
    expect(protectedResourceMetadataPaths('https://api.example.com/')).toEqual([
      '/.well-known/oauth-protected-resource',
    ]);
  });
});

describe('acceptedAudiences (RFC 8707 §2)', () => {
  it('adds the resource identifier to the configured audiences, once', () => {
    expect(acceptedAudiences(['https://quickstarts/api'], 'https://api.example.com/')).toEqual([
      'https://quickstarts/api',
      'https://api.example.com/',
    ]);
    expect(acceptedAudiences(['https://api.example.com/'], 'https://api.example.com/')).toEqual([
      'https://api.example.com/',
    ]);
    expect(acceptedAudiences(['https://quickstarts/api'], undefined)).toEqual([
      'https://quickstarts/api',
    ]);
  });
});

describe('protectedResourceMetadata (RFC 9728 §2)', () => {
  it('has every field that has a value, and never the resource signing fields', () => {
    expect(
      protectedResourceMetadata({
        resource: 'https://api.example.com/v1',
        authorizationServers: ['https://tenant.auth0.com/'],
        scopes: ['read:messages'],
        resourceName: 'Orders API',
        resourceDocumentation: 'https://api.example.com/docs',
      }),
    ).toEqual({
      resource: 'https://api.example.com/v1',
      authorization_servers: ['https://tenant.auth0.com/'],
      scopes_supported: ['read:messages'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders API',
      resource_documentation: 'https://api.example.com/docs',
    });
  });

  it('omits the fields that have no value', () => {
    const document = protectedResourceMetadata({
      resource: 'https://api.example.com/',
      authorizationServers: [],
      scopes: [],
      resourceName: undefined,
      resourceDocumentation: undefined,
    });
    expect(document).toEqual({
      resource: 'https://api.example.com/',
      bearer_methods_supported: ['header'],
    });
    expect(Object.keys(document)).toEqual(['resource', 'bearer_methods_supported']);
  });
});
