import { errorClass } from './users.errors.js';

/** The errors of a chain of causes, outermost first (drizzle and pg-pool wrap the driver's). */
function chain(error: unknown): Record<string, unknown>[] {
  const found = new Set<Record<string, unknown>>();
  let current: unknown = error;
  while (
    typeof current === 'object' &&
    current !== null &&
    !found.has(current as Record<string, unknown>)
  ) {
    found.add(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return [...found];
}

/** Node's codes for a TLS handshake that failed, as opposed to a TLS that was never offered. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/;

/**
 * Why the database could not be used, for a log line: its code (or a label for the driver's
 * failures that have none: `timeout`, `TLS refused`) and, for the failures of a connection, the
 * cause in words: a timeout, TLS refused or required, a host name that does not resolve, a
 * refused login, a refused connection. Built from codes and the driver's own messages, never from
 * the connection string, so it holds no password.
 */
export function failureCause(error: unknown, connectTimeoutMs: number): string {
  const errors = chain(error);
  const code = errorClass(error);
  const messages = errors.map((e) => (typeof e['message'] === 'string' ? e['message'] : ''));
  const hostname = errors.map((e) => e['hostname']).find((h) => typeof h === 'string');
  const host = typeof hostname === 'string' ? `host ${hostname}` : 'the host name';
  // pg and pg-pool say these in words only (pg/lib/connection.js, pg/lib/client.js, pg-pool).
  if (messages.includes('The server does not support SSL connections')) {
    return 'TLS refused: the server offers no TLS, which sslmode in DATABASE_URL asks for';
  }
  if (
    messages.some((m) => /connection timeout|^timeout expired$/.test(m)) ||
    code === 'ETIMEDOUT'
  ) {
    return `timeout: no connection within ${connectTimeoutMs} ms`;
  }
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: `DNS has no ${host}`,
    EAI_AGAIN: `DNS could not resolve ${host} now`,
    '28P01': 'authentication failed',
    // pg_hba.conf has no line for this connection; "..., no encryption" when one with TLS would do.
    '28000': messages.some((m) => m.endsWith('no encryption'))
      ? 'the server requires TLS'
      : 'refused by pg_hba.conf',
    '3D000': 'no such database',
  };
  const cause = words[code] ?? (TLS_CODE.test(code) ? 'TLS handshake failed' : undefined);
  return cause === undefined ? code : `${code}: ${cause}`;
}
