import {
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { checkResourceAllowed } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import * as oauth from 'oauth4webapi';
import { AppModule } from '../src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { freshDataDir } from './support/data-dir.js';
import { freePort, get } from './support/http.js';

/** Plain http is only ever used against this loopback app. */
const LOOPBACK = { [oauth.allowInsecureRequests]: true } as const;

describe('discovery by a real client against the development issuer (RFC 9728, RFC 8707)', () => {
  let running: RunningApp;
  let base: string;
  let resource: string;

  beforeAll(async () => {
    for (const name of Object.keys(process.env))
      if (/^AUTH0?_/.test(name)) delete process.env[name];
    const port = await freePort();
    process.env['PORT'] = String(port);
    process.env['DATA_DIR'] = freshDataDir();
    running = await startApp(AppModule.forRoot(), 'fastify', port);
    base = running.url;
    resource = `http://127.0.0.1:${port}/api`;
  });

  afterAll(() => running?.app.close());

  const tokenRequest = (body: string, contentType: string) =>
    fetch(new URL('dev/oauth/token', base), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;

  async function accessTokenOf(response: Response): Promise<string> {
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  it('follows the 401 to the metadata, the issuer and a token for the resource, then gets a 200', async () => {
    // 1. The MCP SDK reads resource_metadata from the refusal and fetches that document.
    const refusal = await fetch(new URL('api/private-scoped', base));
    expect(refusal.status).toBe(401);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(refusal);
    expect(resourceMetadataUrl?.href).toBe(`${base}.well-known/oauth-protected-resource/api`);
    const metadata = await discoverOAuthProtectedResourceMetadata(
      new URL('api/private-scoped', base),
      { resourceMetadataUrl: resourceMetadataUrl! },
    );
    expect(metadata.resource).toBe(resource);
    // An MCP client talking to /api/private-scoped accepts this resource as its own.
    expect(
      checkResourceAllowed({
        requestedResource: new URL('api/private-scoped', base),
        configuredResource: metadata.resource,
      }),
    ).toBe(true);

    // 2. oauth4webapi finds the same document from the identifier alone and checks `resource`.
    const resourceServer = await oauth.processResourceDiscoveryResponse(
      new URL(resource),
      await oauth.resourceDiscoveryRequest(new URL(resource), LOOPBACK),
    );
    expect(resourceServer.authorization_servers).toEqual([base]);

    // 3. The authorization server's discovery, then a client-credentials token for the resource.
    const issuer = new URL(resourceServer.authorization_servers![0]!);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...LOOPBACK }),
    );
    const client: oauth.Client = { client_id: 'discovery-test' };
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.None(),
        { resource: resourceServer.resource, scope: resourceServer.scopes_supported!.join(' ') },
        LOOPBACK,
      ),
    );
    expect(claimsOf(tokens.access_token)['aud']).toBe(resource);

    // 4. The API accepts it.
    const reply = await get(base, 'api/private-scoped', `Bearer ${tokens.access_token}`);
    expect(reply.status).toBe(200);
  });

  it('serves the document where the MCP SDK looks without a challenge (path first, then the root)', async () => {
    const metadata = await discoverOAuthProtectedResourceMetadata(new URL('api/private', base));
    expect(metadata).toEqual({
      resource,
      authorization_servers: [base],
      scopes_supported: ['read:messages'],
      bearer_methods_supported: ['header'],
      resource_name: 'OAuth 2.0 protected API',
      resource_documentation: `${base}docs`,
    });
  });

  it('names the metadata in the 403 challenge too', async () => {
    const token = await accessTokenOf(await tokenRequest('{}', 'application/json'));
    const reply = await get(base, 'api/private-scoped', `Bearer ${token}`);
    expect(reply.status).toBe(403);
    expect(reply.challenge).toMatch(
      new RegExp(
        `, scope="read:messages", resource_metadata="${base}\\.well-known/oauth-protected-resource/api"$`,
      ),
    );
  });

  it('puts the requested resource in aud, from JSON or a form', async () => {
    const json = await accessTokenOf(
      await tokenRequest(JSON.stringify({ resource }), 'application/json'),
    );
    expect(claimsOf(json)['aud']).toBe(resource);
    const form = await accessTokenOf(
      await tokenRequest(
        new URLSearchParams({ resource, audience: 'https://quickstarts/api' }).toString(),
        'application/x-www-form-urlencoded',
      ),
    );
    expect(claimsOf(form)['aud']).toEqual(['https://quickstarts/api', resource]);
    expect((await get(base, 'api/private', `Bearer ${form}`)).status).toBe(200);
    // Without resource, the audience as before.
    const plain = await accessTokenOf(await tokenRequest('{}', 'application/json'));
    expect(claimsOf(plain)['aud']).toBe('https://quickstarts/api');
  });

  it.each([
    ['another resource', JSON.stringify({ resource: 'https://api.example.com/' })],
    ['the resource with a trailing slash', JSON.stringify({ resource: `RESOURCE/` })],
    ['a fragment', JSON.stringify({ resource: `RESOURCE#x` })],
    ['a relative reference', JSON.stringify({ resource: '/api' })],
    ['one unknown among several', JSON.stringify({ resource: ['RESOURCE', 'https://x.example/'] })],
  ])('refuses %s with invalid_target (RFC 8707 §2)', async (_label, body) => {
    const response = await tokenRequest(body.replaceAll('RESOURCE', resource), 'application/json');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_target',
      error_description: `unknown resource; this development issuer serves ${resource}`,
    });
  });

  it('accepts the resource repeated in a form', async () => {
    const response = await tokenRequest(
      `resource=${encodeURIComponent(resource)}&resource=${encodeURIComponent(resource)}`,
      'application/x-www-form-urlencoded',
    );
    expect(claimsOf(await accessTokenOf(response))['aud']).toBe(resource);
  });
});
