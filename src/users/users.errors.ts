/** The user store cannot answer now (unreachable, or not reachable yet); the request may be retried. */
export class UsersUnavailableError extends Error {
  constructor(
    /** Seconds until the store is tried again, for `Retry-After`. */
    readonly retryAfterSec: number,
    options?: { cause?: unknown },
  ) {
    super('the user store is unavailable', options);
    this.name = 'UsersUnavailableError';
  }
}

/** The database was reached but could not be prepared (a failed migration, a refused login): start-up stops. */
export class DatabaseStartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseStartupError';
  }
}

/** A short, password-free name for what went wrong: an SQLSTATE or errno code, or the error's class. */
export function errorClass(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Drizzle wraps driver errors (its message holds the query and its values), so look at the causes.
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Whether the error means "the server cannot be talked to now" (retry later) rather than "the
 * server refused this statement": no SQLSTATE at all (a socket or pool error), SQLSTATE class 08
 * (connection exception), 57P01-57P03 (shut down, crashed, starting up) or 53300 (too many connections).
 */
export function isUnreachable(error: unknown): boolean {
  const code = errorClass(error);
  if (!/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300';
}
