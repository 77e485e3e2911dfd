import { appUrl } from './token.command.js';

describe('appUrl', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:3000/'],
    ['0.0.0.0', 'http://127.0.0.1:3000/'],
    ['localhost', 'http://127.0.0.1:3000/'],
    ['::', 'http://[::1]:3000/'],
    ['::1', 'http://[::1]:3000/'],
    ['api.internal', 'http://api.internal:3000/'],
  ])('reaches an app listening on HOST=%s at %s', (host, url) => {
    expect(appUrl(host, 3000)).toBe(url);
  });
});
