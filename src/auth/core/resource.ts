import { parseSecureUrl } from './http-url.js';

/** The well-known path of RFC 9728 protected-resource metadata. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * Why `value` cannot be a resource identifier, or `undefined` when it can. RFC 8707 §2 and RFC 9728
 * §1.2: an absolute https URL (http on loopback only), with no fragment and no query. It must also
 * be written as URL parsers write it (`https://api.example.com/`, not `https://API.example.com`),
 * because clients send the identifier they parsed from the metadata back as `resource`, and it is
 * compared with the token's `aud` byte for byte.
 */
export function resourceIdentifierProblem(value: string): string | undefined {
  const url = parseSecureUrl(value);
  if (typeof url === 'string') return url;
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment (RFC 8707 §2)';
  if (url.search !== '' || value.includes('?')) return 'must not have a query (RFC 8707 §2)';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.href !== value) return `must be written as URL parsers write it: ${url.href}`;
  return undefined;
}

/**
 * Where a resource's metadata is published (RFC 9728 §3.1): the well-known path inserted between
 * the host and the identifier's path, so `https://api.example.com/v1` publishes at
 * `https://api.example.com/.well-known/oauth-protected-resource/v1`; a bare host at the root path.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const suffix = url.pathname === '/' ? '' : url.pathname;
  return new URL(`${PROTECTED_RESOURCE_METADATA_PATH}${suffix}`, url.origin).href;
}

/**
 * The paths the metadata is served at: the identifier's own (path-suffixed) location and the root
 * one, which clients try when the suffixed one is missing.
 */
export function protectedResourceMetadataPaths(resource: string): string[] {
  const path = new URL(protectedResourceMetadataUrl(resource)).pathname;
  return path === PROTECTED_RESOURCE_METADATA_PATH
    ? [path]
    : [path, PROTECTED_RESOURCE_METADATA_PATH];
}

/** The audiences a token's `aud` may name: the configured ones and the resource identifier (RFC 8707 §2). */
export function acceptedAudiences(
  audiences: readonly string[],
  resource: string | undefined,
): string[] {
  return resource === undefined || audiences.includes(resource)
    ? [...audiences]
    : [...audiences, resource];
}

/** What the RFC 9728 §2 document says about this resource server. */
export interface ProtectedResourceDescription {
  resource: string;
  authorizationServers: readonly string[];
  scopes: readonly string[];
  resourceName: string | undefined;
  resourceDocumentation: string | undefined;
}

/**
 * The RFC 9728 §2 metadata document, with no field that has no value. `jwks_uri` and
 * `resource_signing_alg_values_supported` describe keys the resource itself signs responses with,
 * which it has none of, so they are never present.
 */
export function protectedResourceMetadata(
  description: ProtectedResourceDescription,
): Record<string, unknown> {
  const document: Record<string, unknown> = { resource: description.resource };
  if (description.authorizationServers.length > 0) {
    document['authorization_servers'] = [...description.authorizationServers];
  }
  if (description.scopes.length > 0) document['scopes_supported'] = [...description.scopes];
  // RFC 6750 §2.1 only: tokens in a form body or the query string are refused.
  document['bearer_methods_supported'] = ['header'];
  if (description.resourceName !== undefined) document['resource_name'] = description.resourceName;
  if (description.resourceDocumentation !== undefined) {
    document['resource_documentation'] = description.resourceDocumentation;
  }
  return document;
}
