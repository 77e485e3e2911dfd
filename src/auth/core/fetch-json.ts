import { fetch, type Dispatcher } from 'undici';
import { JwksUnavailableError, KEYS_UNAVAILABLE } from './errors.js';

/** Why a JSON fetch failed: the server could not be reached, timed out or answered 5xx/429 (`unavailable`), or it answered something that is not the document (`invalid`). */
export class FetchJsonError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FetchJsonError';
  }
}

/** Limits and transport of one metadata or key-set fetch. */
export interface FetchJsonOptions {
  /** Whole request, connect to last byte, in milliseconds. */
  timeoutMs: number;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  /** The undici dispatcher to send through (a proxy agent, say); the global one when absent. */
  dispatcher?: Dispatcher;
}

/** A fetched JSON object and the freshness its server gave it. */
export interface FetchedJson {
  body: Record<string, unknown>;
  /** `Cache-Control: max-age`, in seconds, when the server sent one (and no `no-store`/`no-cache`). */
  maxAgeSec: number | undefined;
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?/i.exec(cacheControl);
  return match === null ? undefined : Number(match[1]);
}

async function readCapped(
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  maxBytes: number,
): Promise<string> {
  if (Number(declaredLength) > maxBytes) {
    throw new FetchJsonError('invalid', `body larger than ${maxBytes} bytes`);
  }
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FetchJsonError('invalid', `body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs a JSON object with one deadline for the whole exchange (an `AbortSignal`, so a server that
 * drips bytes cannot hold a request forever) and a cap on the body. jwks-rsa's own request has
 * neither: its timeout is per idle socket and it buffers any size.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<FetchedJson> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let text: string;
  let maxAgeSec: number | undefined;
  try {
    const response = await fetch(url, {
      signal,
      headers: { accept: 'application/json' },
      redirect: 'error',
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      const transient = response.status >= 500 || response.status === 429;
      throw new FetchJsonError(transient ? 'unavailable' : 'invalid', `HTTP ${response.status}`);
    }
    maxAgeSec = maxAgeOf(response.headers.get('cache-control'));
    text = await readCapped(
      response.body,
      response.headers.get('content-length'),
      options.maxBytes,
    );
  } catch (error) {
    if (error instanceof FetchJsonError) throw error;
    const reason = signal.aborted ? `no answer within ${options.timeoutMs} ms` : describe(error);
    throw new FetchJsonError('unavailable', reason, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FetchJsonError('invalid', 'body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FetchJsonError('invalid', 'body is not a JSON object');
  }
  return { body: value as Record<string, unknown>, maxAgeSec };
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code}: ${cause.message}`;
  }
  return String(error);
}

/** Turns a fetch failure into the 503 a client sees. */
export function unavailable(
  what: string,
  url: string,
  error: unknown,
  retryAfterSec?: number,
): JwksUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new JwksUnavailableError(KEYS_UNAVAILABLE, {
    cause: error,
    detail: `${what} ${url}: ${reason}`,
    retryAfterSec,
  });
}
