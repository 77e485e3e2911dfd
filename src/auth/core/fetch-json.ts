import { JwksUnavailableError } from './errors.js';

/** Why a JSON fetch failed: the server could not be reached or answered 5xx/429 (`unavailable`), or it answered something that is not the document (`invalid`). */
export class FetchJsonError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'invalid',
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FetchJsonError';
  }
}

/** Limits on one metadata or key-set fetch. */
export interface FetchJsonLimits {
  /** Whole request, connect to last byte, in milliseconds. */
  timeoutMs: number;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes)
    throw new FetchJsonError('invalid', `body larger than ${maxBytes} bytes`);
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new FetchJsonError('invalid', `body larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs a JSON object with a deadline for the whole exchange and a cap on the body, which
 * jwks-rsa's own request lacks (its timeout is per socket idle period, and it buffers any size).
 */
export async function fetchJson(
  url: string,
  limits: FetchJsonLimits,
): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw new FetchJsonError('unavailable', `HTTP ${response.status}`, response.status);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new FetchJsonError('invalid', `HTTP ${response.status}`, response.status);
    }
    text = await readCapped(response, limits.maxBytes);
  } catch (error) {
    if (error instanceof FetchJsonError) throw error;
    const reason = signal.aborted ? `no answer within ${limits.timeoutMs} ms` : describe(error);
    throw new FetchJsonError('unavailable', reason, undefined, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FetchJsonError('invalid', 'body is not JSON', response.status);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FetchJsonError('invalid', 'body is not a JSON object', response.status);
  }
  return value as Record<string, unknown>;
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
export function unavailable(what: string, url: string, error: unknown): JwksUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new JwksUnavailableError(
    "the identity provider's signing keys are unavailable; retry later",
    {
      cause: error,
      detail: `${what} ${url}: ${reason}`,
    },
  );
}
