// An e2e test as a user of the package writes it: the app module as it is, AuthModule pointed at
// the testing kit's issuer, real tokens through the real verification. Run with `node --test`.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AUTH_OPTIONS } from '@nest-oauth2-resource-server/auth';
import { TestIssuer } from '@nest-oauth2-resource-server/auth/testing';
import { AppModule } from '../src/app.module.js';

// One app for the whole file: Passport strategies are process-wide, one AuthModule per process.
let issuer: TestIssuer;
let app: NestFastifyApplication;
let url: string;

before(async () => {
  issuer = await TestIssuer.start({ audience: 'https://orders.example/api' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AUTH_OPTIONS)
    .useValue(issuer.authOptions())
    .compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

after(async () => {
  await app?.close();
  await issuer?.stop();
});

describe('GET /orders', () => {
  const get = (token?: string) =>
    fetch(`${url}/orders`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });

  it('answers 200 to a token granting orders:read', async () => {
    const res = await get(issuer.token({ sub: 'alice', scopes: ['orders:read'] }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { orders: [], for: 'alice' });
  });

  it('answers 403 insufficient_scope to a valid token without orders:read', async () => {
    const res = await get(issuer.token({ scopes: ['orders:write'] }));
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  for (const [name, token] of [
    ['no token', () => undefined],
    ['an expired token', () => issuer.expiredToken({ scopes: ['orders:read'] })],
    ['a wrongly signed token', () => issuer.wronglySignedToken({ scopes: ['orders:read'] })],
    [
      'another audience',
      () => issuer.token({ audience: 'https://other.example/', scopes: ['orders:read'] }),
    ],
  ] as const) {
    it(`answers 401 to ${name}`, async () => {
      const res = await get(token());
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    });
  }
});

describe('the GraphQL query orders', () => {
  const query = async (token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query: '{ orders { for ids } }' }),
      signal: AbortSignal.timeout(5000),
    });
    return (await res.json()) as {
      data?: { orders: { for: string; ids: string[] } } | null;
      errors?: { extensions?: { code?: string; status?: number } }[];
    };
  };

  it('answers the data to a token granting orders:read', async () => {
    const body = await query(issuer.token({ sub: 'alice', scopes: ['orders:read'] }));
    assert.deepEqual(body, { data: { orders: { for: 'alice', ids: [] } } });
  });

  it('answers an error with code insufficient_scope and status 403 to a token without orders:read', async () => {
    const body = await query(issuer.token({ scopes: ['orders:write'] }));
    assert.equal(body.data ?? null, null);
    assert.equal(body.errors?.[0]?.extensions?.code, 'insufficient_scope');
    assert.equal(body.errors?.[0]?.extensions?.status, 403);
  });

  for (const [name, token] of [
    ['no token', () => undefined],
    ['an expired token', () => issuer.expiredToken({ scopes: ['orders:read'] })],
    ['a wrongly signed token', () => issuer.wronglySignedToken({ scopes: ['orders:read'] })],
  ] as const) {
    it(`answers an error with status 401 to ${name}`, async () => {
      const body = await query(token());
      assert.equal(body.data ?? null, null);
      assert.equal(body.errors?.[0]?.extensions?.status, 401);
    });
  }
});
