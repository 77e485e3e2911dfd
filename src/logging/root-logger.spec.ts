import { PassThrough } from 'node:stream';
import { createLoggers, withoutUrlPasswords } from './root-logger.js';

const ENV = {
  logLevel: 'info',
  logFormat: 'json',
  logRequests: true,
  metricsEnabled: true,
} as const;

/** A root logger writing into a string. */
function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { logger: createLoggers(ENV, stream).app, text: () => text };
}

describe('withoutUrlPasswords', () => {
  it('replaces the password of a URL and keeps the rest', () => {
    expect(
      withoutUrlPasswords('connect failed: postgres://app:s3cr%40t-pw@db.internal:5432/app'),
    ).toBe('connect failed: postgres://app:***@db.internal:5432/app');
  });

  it('leaves URLs without a password, and e-mail addresses, alone', () => {
    const text = 'see https://example.com/a@b and mail ops@example.com, https://user@host/';
    expect(withoutUrlPasswords(text)).toBe(text);
  });
});

describe('the root logger', () => {
  it('writes neither a URL password nor an Authorization header, whatever it is given', () => {
    const { logger, text } = capture();
    logger.info(
      { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' }, DATABASE_URL: 'x' },
      'pool error for postgres://app:hunter2@db/app',
    );
    logger.flush();
    const line = JSON.parse(text()) as Record<string, unknown>;
    expect(line['msg']).toBe('pool error for postgres://app:***@db/app');
    expect(line['headers']).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(line['DATABASE_URL']).toBe('[redacted]');
    expect(text()).not.toMatch(/hunter2|abc\.def\.ghi/);
  });

  it('honours the level', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLoggers({ ...ENV, logLevel: 'warn' }, stream).app;
    logger.info('not written');
    logger.warn('written');
    expect(text).not.toContain('not written');
    expect(text).toContain('written');
  });
});
