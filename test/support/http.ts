import { connect, createServer } from 'node:net';

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

/**
 * GETs a path over a raw socket with the given header lines sent exactly as written (fetch would
 * merge repeated headers into one); answers status, headers (lower-cased) and parsed JSON body.
 */
export async function rawGet(
  baseUrl: string,
  path: string,
  headerLines: readonly string[],
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  // Written, not ended: a half-closed socket may be dropped before a slow answer is sent.
  socket.write(
    [`GET /${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...headerLines, 'Connection: close']
      .map((line) => `${line}\r\n`)
      .join('') + '\r\n',
  );
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body);
  } catch {
    parsed = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: parsed };
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (let i = 0; i < 1000; i += 1) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) break;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 4 + size);
  }
  return out;
}
