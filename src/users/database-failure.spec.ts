import { failureCause } from './database-failure.js';

/** An error shaped like pg's `DatabaseError`: the server's message and its SQLSTATE. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('failureCause', () => {
  it('names TLS required when pg_hba.conf has a line only for connections with TLS', () => {
    const error = serverError(
      '28000',
      'no pg_hba.conf entry for host "10.0.0.5", user "app", database "app", no encryption',
    );
    expect(failureCause(error, 5000)).toBe('28000: the server requires TLS');
  });

  it('names a certificate the client refused as a failed TLS handshake', () => {
    const error = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(failureCause(error, 5000)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT: TLS handshake failed');
  });

  it("finds the driver's error under the causes drizzle and pg-pool wrap it in", () => {
    const timeout = new Error('Connection terminated due to connection timeout', {
      cause: new Error('Connection terminated unexpectedly'),
    });
    const wrapped = new Error('Failed query: select 1\nparams: secret', { cause: timeout });
    expect(failureCause(wrapped, 5000)).toBe('timeout: no connection within 5000 ms');
  });

  it('keeps the code alone for a failure it has no words for', () => {
    expect(failureCause(serverError('42P07', 'relation "users" already exists'), 5000)).toBe(
      '42P07',
    );
  });
});
