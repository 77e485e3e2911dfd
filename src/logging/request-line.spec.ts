import { PassThrough } from 'node:stream';
import pino from 'pino';
import { requestLine, type RequestLineFields } from './request-line.js';

/** What the request logger (pino without base fields) writes for `fields` at `level`. */
function pinoLine(level: 'info' | 'error', fields: RequestLineFields, timeMs: number): string {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = pino({ base: undefined, timestamp: () => `,"time":${timeMs}` }, stream);
  logger[level](fields, 'request completed');
  return text;
}

const ok: RequestLineFields = {
  reqId: '6c51884f-d9d6-4ce7-9a98-94bb59bf4ff7',
  method: 'GET',
  route: '/api/public',
  status: 200,
  ms: 0.53,
};

describe('requestLine', () => {
  it.each<[string, 'info' | 'error', RequestLineFields]>([
    ['an answered request', 'info', ok],
    ['a 500', 'error', { ...ok, status: 500, ms: 12 }],
    ['a refused body', 'info', { ...ok, reqId: 'a.b:c-1', status: 413, clientError: 'FST_X' }],
    ['no request id, odd characters', 'info', { ...ok, reqId: undefined, route: '/a "b"\\\n' }],
    ['a time that is not a number', 'info', { ...ok, ms: Number.NaN }],
    [
      'an auth failure with a detail and no issuer',
      'info',
      {
        ...ok,
        status: 401,
        auth: { error: 'invalid_token', reason: 'expired', detail: 'exp 1 < 2', iss: undefined },
      },
    ],
  ])('writes what pino writes for %s', (_name, level, fields) => {
    const timeMs = 1_796_693_831_362;
    expect(requestLine(level, fields, timeMs)).toBe(pinoLine(level, fields, timeMs));
  });
});
