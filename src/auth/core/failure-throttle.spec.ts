import { TooManyFailuresError } from './errors.js';
import { FailureThrottle, failureKeyOf, MemoryFailureStore } from './failure-throttle.js';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('MemoryFailureStore', () => {
  it('blocks a client for the rest of its window once it reaches the limit, then forgets it', () => {
    let now = 1_000;
    const store = new MemoryFailureStore({ limit: 3, windowMs: 10_000 }, 10, () => now);
    expect(store.recordFailure('a')).toBe(0);
    expect(store.recordFailure('a')).toBe(0);
    now += 4_000;
    expect(store.recordFailure('a')).toBe(6_000);
    expect(store.blockedForMs('a')).toBe(6_000);
    expect(store.blockedForMs('b')).toBe(0);
    now += 6_000;
    expect(store.blockedForMs('a')).toBe(0);
    expect(store.recordFailure('a')).toBe(0);
  });

  it('remembers at most maxClients, forgetting the oldest window first', () => {
    const store = new MemoryFailureStore({ limit: 1, windowMs: 10_000 }, 2, () => 0);
    store.recordFailure('a');
    store.recordFailure('b');
    store.recordFailure('c');
    expect(store.blockedForMs('a')).toBe(0);
    expect(store.blockedForMs('b')).toBe(10_000);
    expect(store.blockedForMs('c')).toBe(10_000);
  });
});

describe('failureKeyOf', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('counts %s as %s', (address, key) => {
    expect(failureKeyOf(address)).toBe(key);
  });
});

describe('FailureThrottle', () => {
  it('throws 429 with the seconds left once the store says the client must wait', () => {
    let now = 0;
    const throttle = new FailureThrottle(
      new MemoryFailureStore({ limit: 2, windowMs: 5_500 }, 10, () => now),
      silent,
      () => now,
    );
    throttle.failed('192.0.2.1');
    expect(() => throttle.check('192.0.2.1')).not.toThrow();
    throttle.failed('192.0.2.1');
    let thrown: unknown;
    try {
      throttle.check('192.0.2.1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TooManyFailuresError);
    expect((thrown as TooManyFailuresError).retryAfterSec).toBe(6);
    expect(() => throttle.check('192.0.2.2')).not.toThrow();
    now = 5_500;
    expect(() => throttle.check('192.0.2.1')).not.toThrow();
  });

  it('lets everyone through while the store fails, and says so once per outage', async () => {
    const warnings: string[] = [];
    const logs: string[] = [];
    let failing = true;
    const throttle = new FailureThrottle(
      {
        blockedForMs: () => (failing ? Promise.reject(new Error('down')) : Promise.resolve(0)),
        recordFailure: () => (failing ? Promise.reject(new Error('down')) : Promise.resolve(0)),
      },
      { ...silent, warn: (line) => warnings.push(line), log: (line) => logs.push(line) },
    );
    for (let i = 0; i < 3; i += 1) {
      await expect(throttle.check('192.0.2.1')).resolves.toBeUndefined();
      throttle.failed('192.0.2.1');
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      'Failed-authentication counts unavailable, clients are not throttled until the store answers: down',
    ]);
    failing = false;
    await throttle.check('192.0.2.1');
    expect(logs).toEqual(['Failed-authentication counts are available again']);
  });
});
