import { DEFAULT_SERVER_LIMITS } from '../server/server-limits.js';
import { parseEnv } from './env.js';

describe('server limits from the environment', () => {
  it('uses the defaults when nothing is set', () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      bodyLimitBytes: 8192,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 10_000,
      maxRequestsPerSocket: 1_000,
      shutdownTimeoutMs: 10_000,
    });
    expect(parseEnv({}).value.server).toEqual(DEFAULT_SERVER_LIMITS);
  });

  it('reads every variable', () => {
    const { value, problems } = parseEnv({
      HTTP_BODY_LIMIT_BYTES: '4096',
      HTTP_REQUEST_TIMEOUT_MS: ' 1000 ',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
      HTTP_MAX_CONNECTIONS: '100',
      HTTP_MAX_REQUESTS_PER_SOCKET: '10',
      SHUTDOWN_TIMEOUT_MS: '0',
    });
    expect(problems).toEqual([]);
    expect(value.server).toEqual({
      bodyLimitBytes: 4096,
      requestTimeoutMs: 1000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 100,
      maxRequestsPerSocket: 10,
      shutdownTimeoutMs: 0,
    });
  });

  it.each([
    ['HTTP_BODY_LIMIT_BYTES', '0', /from 1 to 1048576; unset it to use 8192$/],
    ['HTTP_REQUEST_TIMEOUT_MS', '0', /from 100 to 600000; unset it to use 30000$/],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '1e3', /from 100 to 600000; unset it to use 72000$/],
    ['HTTP_MAX_CONNECTIONS', '-1', /from 1 to 1000000; unset it to use 10000$/],
    ['HTTP_MAX_REQUESTS_PER_SOCKET', 'many', /from 1 to 1000000; unset it to use 1000$/],
    ['SHUTDOWN_TIMEOUT_MS', '600001', /from 0 to 600000; unset it to use 10000$/],
  ])('refuses %s=%s in one line naming it and the fix', (name, raw, fix) => {
    const { problems } = parseEnv({ [name]: raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} must be a whole number `));
    expect(problems[0]).toMatch(fix);
  });
});
