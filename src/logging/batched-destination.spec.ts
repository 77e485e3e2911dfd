import { BatchedDestination, type FlushableDestination } from './batched-destination.js';

/** A destination that records every write and every synchronous flush. */
function recorder() {
  const writes: string[] = [];
  let flushedSync = 0;
  const destination: FlushableDestination = {
    write: (text: string) => void writes.push(text),
    flushSync: () => void (flushedSync += 1),
  };
  return { destination, writes, flushedSync: () => flushedSync };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedDestination', () => {
  it('writes the lines of one turn as one string, in order, when the turn ends', async () => {
    const { destination, writes } = recorder();
    const batched = new BatchedDestination(destination);
    batched.write('a\n');
    batched.write('b\n');
    batched.write('c\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\nc\n']);
    batched.write('d\n');
    await turn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes what it holds at once on flushSync, and nothing twice', async () => {
    const { destination, writes, flushedSync } = recorder();
    const batched = new BatchedDestination(destination);
    batched.write('a\n');
    batched.flushSync();
    expect(writes).toEqual(['a\n']);
    expect(flushedSync()).toBe(1);
    await turn();
    expect(writes).toEqual(['a\n']);
  });
});
