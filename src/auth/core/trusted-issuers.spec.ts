import type { Principal } from './claims.js';
import type { IssuerMetadataResolver } from './issuer-metadata.js';
import type { JwksKeyProvider } from './key-provider.js';
import { TrustedIssuers, type TrustedIssuer } from './trusted-issuers.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const NOW = 1_764_600_000;

/** An issuer whose key set holds `kids` (the set can change under the test). */
function issuer(issuerUrl: string, kids: Set<string>): TrustedIssuer {
  const keys = { hasKey: (kid: string) => kids.has(kid) } as unknown as JwksKeyProvider;
  return {
    settings: {
      issuerUrl,
      audiences: ['api'],
      jwksUri: undefined,
      algorithms: ['RS256'],
      clockToleranceSec: 0,
    },
    metadata: {} as IssuerMetadataResolver,
    keys,
  };
}

function verified(iss: string, kid: string): { token: string; principal: Principal } {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url');
  const claims = { iss, sub: 'user', exp: NOW + 300 };
  return {
    token: `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig-${iss}`,
    principal: { sub: 'user', scopes: [], claims },
  };
}

describe('TrustedIssuers', () => {
  const aKids = new Set(['shared']);
  const bKids = new Set(['shared']);
  const issuers = new TrustedIssuers([
    issuer('https://a.example/', aKids),
    issuer('https://b.example', bKids),
  ]);

  it('selects by exact iss, forgiving only a trailing slash', () => {
    expect(issuers.select('https://a.example/')?.settings.issuerUrl).toBe('https://a.example/');
    expect(issuers.select('https://a.example')?.settings.issuerUrl).toBe('https://a.example/');
    expect(issuers.select('https://b.example/')?.settings.issuerUrl).toBe('https://b.example');
    for (const iss of ['https://A.example/', 'https://a.example//', 'https://a.example/x', '', 1]) {
      expect(issuers.select(iss)).toBeUndefined();
    }
    expect(() => issuers.require('https://c.example/')).toThrow('issuer not accepted');
  });

  it("drops a cached token once its kid leaves its own issuer's key set, whatever the other issuer holds", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxBytes: 1 << 20 }, issuers, () => NOW);
    const fromA = verified('https://a.example/', 'shared');
    const fromB = verified('https://b.example', 'shared');
    cache.set(fromA.token, fromA.principal);
    cache.set(fromB.token, fromB.principal);
    expect(cache.get(fromA.token)).toBe(fromA.principal);
    expect(cache.get(fromB.token)).toBe(fromB.principal);
    // A rotates "shared" out; B still publishes a key under that kid.
    aKids.delete('shared');
    expect(cache.get(fromA.token)).toBeUndefined();
    expect(cache.get(fromB.token)).toBe(fromB.principal);
  });

  it('answers hasKey without an issuer only when there is a single one', () => {
    expect(issuers.hasKey('shared')).toBe(false);
    expect(new TrustedIssuers([issuer('https://a.example/', new Set(['k']))]).hasKey('k')).toBe(
      true,
    );
  });
});
