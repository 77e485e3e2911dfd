import { resolve } from 'node:path';
import { MessagesService } from '../src/messages/messages.service.js';
import { get } from './support/http.js';
import { emptyDir, startNode, type AppProcess } from './support/process.js';

/** The bench's baseline app (`npm run bench` measures every scenario as a multiple of it). */
const BARE_APP = resolve('bench/bare-app.mjs');

describe('the bench baseline (node bench/bare-app.mjs)', () => {
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    app = startNode([BARE_APP], { PORT: '0', HOST: '127.0.0.1' }, emptyDir());
    await app.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+\n/);
    url = /Listening on (\S+)/.exec(app.output())![1]!;
  });

  afterAll(() => app.stop());

  const messages = new MessagesService();
  it.each([
    ['/api/public', messages.publicMessage()],
    ['/api/private', messages.privateMessage()],
    ['/api/private-scoped', messages.privateScopedMessage()],
  ])('answers GET %s with the real app’s message and no token', async (path, message) => {
    const reply = await get(url, path);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(message);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('stays bare: no request id, no security headers, nothing logged', async () => {
    const reply = await get(url, '/api/private', 'Bearer not-checked');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-request-id')).toBeNull();
    expect(reply.headers.get('content-security-policy')).toBeNull();
    expect(app.output().trim().split('\n')).toEqual([expect.stringMatching(/^Listening on /)]);
  });

  it('closes on SIGTERM with status 0', async () => {
    await app.stop();
    await expect(app.exited).resolves.toBe(0);
  });
});
