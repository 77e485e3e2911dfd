import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** A raw TCP connection to an HTTP server: what it answered, and whether the server closed it. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  received: () => string;
  /** The status codes of the answers received so far, in order. */
  statuses: () => number[];
  /** Resolves once connected (or failed to). */
  connected: Promise<void>;
  /** Resolves when the connection closes, with the time it closed (ms since the epoch). */
  closed: Promise<number>;
  isClosed: () => boolean;
}

/** Opens a raw connection to `baseUrl`'s host and port, writing `request` (if given) once connected. */
export function rawConnection(baseUrl: string, request?: string | Buffer): RawConnection {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let received = '';
  let closedFlag = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  const connected = new Promise<void>((resolve) => {
    socket.once('connect', () => {
      if (request !== undefined) socket.write(request);
      resolve();
    });
    socket.once('error', () => resolve());
  });
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      closedFlag = true;
      resolve(Date.now());
    }),
  );
  return {
    socket,
    received: () => received,
    statuses: () => [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])),
    connected,
    closed,
    isClosed: () => closedFlag,
  };
}

/** Resolves with `promise`'s value, or `undefined` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The resident set size of process `pid`, in MB (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
