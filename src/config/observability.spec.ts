import { parseObservability } from './observability.js';

describe('parseObservability', () => {
  it('logs debug lines, readably, in development and info lines as JSON in production', () => {
    const problems: string[] = [];
    expect(parseObservability({}, false, problems)).toEqual({
      logLevel: 'debug',
      logFormat: 'pretty',
      logRequests: true,
      metricsEnabled: true,
    });
    expect(parseObservability({}, true, problems)).toEqual({
      logLevel: 'info',
      logFormat: 'json',
      logRequests: true,
      metricsEnabled: true,
    });
    expect(problems).toEqual([]);
  });

  it('reads every variable that is set', () => {
    const problems: string[] = [];
    expect(
      parseObservability(
        {
          LOG_LEVEL: ' WARN ',
          LOG_FORMAT: 'json',
          LOG_REQUESTS: 'false',
          METRICS_ENABLED: 'false',
        },
        false,
        problems,
      ),
    ).toEqual({ logLevel: 'warn', logFormat: 'json', logRequests: false, metricsEnabled: false });
    expect(problems).toEqual([]);
  });

  it('names each bad variable and its fix on one line', () => {
    const problems: string[] = [];
    parseObservability(
      { LOG_LEVEL: 'verbose', LOG_FORMAT: 'text', LOG_REQUESTS: 'no', METRICS_ENABLED: '1' },
      true,
      problems,
    );
    expect(problems).toEqual([
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent; unset it to use info',
      'LOG_FORMAT must be json or pretty; unset it to use json',
      'LOG_REQUESTS must be true or false; unset it to use true',
      'METRICS_ENABLED must be true or false; unset it to use true',
    ]);
  });
});
