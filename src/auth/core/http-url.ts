const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL points at this machine (plain http is tolerated there, for development and tests). */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127(?:\.\d{1,3}){3}$/.test(url.hostname);
}

/**
 * Parses a URL that keys or metadata are fetched from: https, or http on loopback only, since a
 * key set fetched in the clear can be swapped by anyone on the path (RFC 8725 §3.10 trust in keys).
 * Returns an error message instead of the URL when it is not acceptable.
 */
export function parseSecureUrl(value: string): URL | 'is not a valid URL' | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackUrl(url)) return url;
  return 'must use https (plain http is accepted only for localhost/127.0.0.1)';
}
