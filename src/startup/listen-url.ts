import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

/**
 * The address the server is actually bound to (`0.0.0.0` stays `0.0.0.0`, with a note), where
 * `app.getUrl()` names a loopback address whatever the bind address is.
 */
export function listenUrl(app: INestApplication): string {
  const address = (app.getHttpServer() as { address(): AddressInfo | string | null }).address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  return `http://${host}:${address.port}${everywhere ? ' (every network interface)' : ''}`;
}
