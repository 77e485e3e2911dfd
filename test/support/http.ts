import { createServer } from 'node:net';

/** A response reduced to what the assertions look at. */
export interface Reply {
  status: number;
  challenge: string | null;
  headers: Headers;
  body: unknown;
  text: string;
}

/** GETs a path with an optional raw Authorization header value. */
export async function get(baseUrl: string, path: string, authorization?: string): Promise<Reply> {
  const response = await fetch(new URL(path, baseUrl), {
    headers: authorization === undefined ? {} : { authorization },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    headers: response.headers,
    body,
    text,
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for processes that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
