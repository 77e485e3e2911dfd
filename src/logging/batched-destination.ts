import type { DestinationStream } from 'pino';

/** What is used of pino's asynchronous destination (a sonic-boom stream). */
export interface FlushableDestination extends DestinationStream {
  flush?(callback?: (error?: Error) => void): void;
  flushSync?(): void;
  readonly destroyed?: boolean;
}

/** Destinations holding lines of the current turn, written out if the process exits first. */
const holding = new Set<BatchedDestination>();
let exitHookAdded = false;

/**
 * Hands the lines written within one turn of the event loop to `destination` as one string, at
 * the end of the turn (`setImmediate`): sonic-boom costs about 2 µs of CPU per `write` call beyond
 * the bytes, however well it coalesces its system calls (measured with node, 10 to 40 lines a
 * turn: 3.5-4.3 µs a line written one by one, 1.6-1.9 µs joined per turn). Lines keep their order;
 * those of the last turn are written synchronously if the process exits before it ends.
 */
export class BatchedDestination implements DestinationStream {
  private lines: string[] = [];

  constructor(private readonly destination: FlushableDestination) {
    if (!exitHookAdded) {
      exitHookAdded = true;
      process.once('exit', () => {
        for (const held of holding) held.flushSync();
      });
    }
  }

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length === 1) {
      holding.add(this);
      setImmediate(this.drain);
    }
  }

  /** Writes the lines held, then flushes the destination (pino's `logger.flush`). */
  flush(callback?: (error?: Error) => void): void {
    this.drain();
    if (this.destination.flush === undefined) callback?.();
    else this.destination.flush(callback);
  }

  /** Writes the lines held and flushes the destination synchronously. */
  flushSync(): void {
    this.drain();
    if (this.destination.destroyed !== true) this.destination.flushSync?.();
  }

  private readonly drain = (): void => {
    holding.delete(this);
    if (this.lines.length === 0) return;
    const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    if (this.destination.destroyed !== true) this.destination.write(text);
  };
}
