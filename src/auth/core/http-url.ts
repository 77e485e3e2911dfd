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

/** Names of cloud metadata services that resolve to a link-local address. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog']);
/** Addresses that reach this machine from any URL (0.0.0.0 and :: connect to the local host). */
const THIS_HOST = new Set(['0.0.0.0', '[::]']);

/**
 * Whether a host is link-local or a cloud metadata address: 169.254.0.0/16 (AWS, GCP and Azure
 * serve instance credentials on 169.254.169.254), fe80::/10, AWS's IPv6 fd00:ec2::254, and the
 * same written as an IPv4-mapped IPv6 address. Hosts arrive as the URL parser normalised them, so
 * `2852039166` and `0xa9fea9fe` are already `169.254.169.254`.
 */
function isMetadataHost(hostname: string): boolean {
  return (
    /^169\.254\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    /^\[fe[89ab][0-9a-f]:/.test(hostname) ||
    hostname === '[fd00:ec2::254]' ||
    /^\[::ffff:a9fe:[0-9a-f]{1,4}\]$/.test(hostname) ||
    METADATA_HOSTS.has(hostname)
  );
}

/**
 * Why an issuer's discovery document may not send us to this URL for keys, or `undefined` when it
 * may: never a link-local or metadata address (a key fetch there would be a server-side request
 * forgery against the cloud's credential service), and this machine only when the issuer itself is
 * on this machine (RFC 8725 §3.10: keys only from where the issuer is trusted to publish them).
 * A host name is judged as written: one that resolves to such an address is not caught here.
 */
export function keySourceProblem(url: URL, issuer: URL): string | undefined {
  if (isMetadataHost(url.hostname)) return 'is a link-local or cloud metadata address';
  if ((isLoopbackUrl(url) || THIS_HOST.has(url.hostname)) && !isLoopbackUrl(issuer)) {
    return 'is on this machine, which only an issuer on this machine may use';
  }
  return undefined;
}
