import {
  LOGGED_PER_WINDOW,
  RepeatedFailures,
  type RepeatedFailureLine,
} from './repeated-failures.js';

const kind = (client: string, reason = 'signature') => ({
  client,
  status: 401,
  error: 'invalid_token',
  reason,
});

describe('RepeatedFailures', () => {
  it('logs the first failures of a kind in full, then one line with how many more came', () => {
    const lines: RepeatedFailureLine[] = [];
    const folder = new RepeatedFailures((line) => lines.push(line));
    let admitted = 0;
    for (let i = 0; i < 1_000; i += 1) if (folder.admit(kind('192.0.2.1'))) admitted += 1;
    expect(admitted).toBe(LOGGED_PER_WINDOW);
    // Another client, or another reason, is another kind.
    expect(folder.admit(kind('192.0.2.2'))).toBe(true);
    expect(folder.admit(kind('192.0.2.1', 'expired'))).toBe(true);
    folder.flush();
    expect(lines).toEqual([
      { ...kind('192.0.2.1'), repeated: 1_000 - LOGGED_PER_WINDOW, windowMs: 1_000 },
    ]);
    // A new window logs in full again.
    expect(folder.admit(kind('192.0.2.1'))).toBe(true);
  });

  it('writes the counts by itself when the window ends', async () => {
    const lines: RepeatedFailureLine[] = [];
    const folder = new RepeatedFailures((line) => lines.push(line), 50, 1);
    folder.admit(kind('192.0.2.1'));
    folder.admit(kind('192.0.2.1'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual([{ ...kind('192.0.2.1'), repeated: 1, windowMs: 50 }]);
  });

  it('counts failures beyond 1 000 kinds a window together, so many clients cost bounded lines', () => {
    const lines: RepeatedFailureLine[] = [];
    const folder = new RepeatedFailures((line) => lines.push(line));
    let admitted = 0;
    for (let i = 0; i < 5_000; i += 1) if (folder.admit(kind(`client-${i}`))) admitted += 1;
    expect(admitted).toBe(1_000);
    folder.flush();
    expect(lines).toEqual([
      {
        client: 'other clients',
        status: 0,
        error: 'any',
        reason: undefined,
        repeated: 4_000,
        windowMs: 1_000,
      },
    ]);
  });
});
