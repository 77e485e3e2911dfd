import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/index.js';
import { UsersDatabaseHealth } from './users-database.health.js';
import { errorClass, UsersUnavailableError } from './users.errors.js';
import { USERS_SETTINGS } from './users.constants.js';
import type { UsersSettings } from './users.options.js';
import { UsersRepository } from './users.repository.js';
import type { StoredUser } from './users.schema.js';

/**
 * Users whose `lastSeenAt` one statement writes. PGlite runs on the event loop's thread and an
 * update costs it about 0.12 ms a row: 250 rows held the loop for 30 ms (up to 200 ms on a busy
 * machine), 50 for about 7 ms.
 */
const WRITE_BATCH = 50;
/**
 * The least pause between two statements of a periodic write; the pause is also at least three
 * times the statement's own time, so that writing 10 000 users' `lastSeenAt` takes at most a
 * quarter of the event loop for a few seconds, however slow the machine, instead of all of it.
 */
const WRITE_PAUSE_MS = 20;

/**
 * Rows of a `lastSeenAt` write on close at most: nothing else waits for the event loop by then, and
 * a statement of 4 000 rows costs about 0.05 ms a row on PGlite, against 0.1 ms in statements of 50.
 */
const CLOSE_WRITE_BATCH = 4_000;
/**
 * The time a row of a `lastSeenAt` write on close is assumed to take until one statement has been
 * timed: pessimistic (PGlite took 0.05 ms, 0.2 ms on a loaded machine), so that the first fits.
 */
const ASSUMED_CLOSE_WRITE_MS_PER_ROW = 0.5;

/**
 * New users one statement creates at most. First sights that arrive while a statement runs wait
 * for the next one: 10 000 new subjects cost 10 000 inserts of about 2 ms of the event loop each on
 * PGlite (4 ms on a busy machine), and queued back to back they held it for hundreds of milliseconds.
 */
const PROVISION_BATCH = 100;

/** A first sight (or a known user whose entry was evicted) waiting for its row. */
interface FirstSight {
  issuer: string;
  subject: string;
  resolve(row: StoredUser): void;
  reject(error: unknown): void;
}

/** A known user in memory: its row, when it was last seen here, and what was last written when. */
interface KnownUser {
  readonly row: StoredUser;
  seenAtMs: number;
  /** The `lastSeenAt` the database holds. */
  storedSeenAtMs: number;
  /** When this instance last wrote it (or created the row). */
  writtenAtMs: number;
  /** Queued for a `lastSeenAt` write. */
  queued: boolean;
}

/**
 * Maps a token principal to the application's stored user, creating it on first sight. Known users
 * are answered from a bounded in-memory cache (no database round trip); their `lastSeenAt` is
 * written at most once a minute each, in batches, off the request path, and on shutdown. A user
 * missing from the cache (new, or evicted) costs one statement, which also writes its `lastSeenAt`.
 */
@Injectable()
export class UsersService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Users');
  private readonly known: LRUCache<string, KnownUser>;
  private readonly provisioning = new Map<string, Promise<KnownUser>>();
  private queue: KnownUser[] = [];
  private firstSights: FirstSight[] = [];
  private creating = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Set on close: a periodic write stops after its current statement, and no new one starts. */
  private closing = false;
  private provisioningFailureLogged = false;

  constructor(
    @Inject(USERS_SETTINGS) private readonly settings: UsersSettings,
    private readonly repository: UsersRepository,
    private readonly health: UsersDatabaseHealth,
  ) {
    this.known = new LRUCache({ max: settings.cacheMaxEntries });
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.settings.flushIntervalMs);
    this.flushTimer.unref();
  }

  /**
   * Writes every pending `lastSeenAt` before the database closes (`app.close()`, SIGTERM), within
   * `closeWriteTimeoutMs`; what does not fit is counted in one warning.
   */
  async onModuleDestroy(): Promise<void> {
    const deadline = performance.now() + this.settings.closeWriteTimeoutMs;
    clearInterval(this.flushTimer);
    this.closing = true;
    await this.flushing;
    await this.writeOnClose(deadline);
  }

  /**
   * The hot path: records that `principal` was seen and returns true when its user is known, with
   * no database round trip; false when it must be provisioned first.
   */
  see(principal: Principal): boolean {
    const known = this.known.get(keyOf(principal));
    if (known === undefined) return false;
    this.seen(known);
    return true;
  }

  /**
   * Makes sure the user of `principal` exists, for routes that answer from the token alone: an
   * unreachable database is logged (once per outage) and otherwise ignored.
   */
  async provisionQuietly(principal: Principal): Promise<void> {
    try {
      await this.provision(principal);
      this.provisioningFailureLogged = false;
    } catch (error) {
      // The outage itself is logged by UsersDatabaseHealth; anything else is logged once here.
      if (!(error instanceof UsersUnavailableError) && !this.provisioningFailureLogged) {
        this.provisioningFailureLogged = true;
        this.logger.error(`provisioning failed (${errorClass(error)})`);
      }
    }
  }

  /**
   * The stored user of `principal` (created on first sight), for handlers that need the record.
   * @throws UsersUnavailableError when it is not known here and the database cannot be reached (503).
   */
  async storedUserFor(principal: Principal): Promise<StoredUser> {
    let known = this.known.get(keyOf(principal));
    if (known !== undefined) this.seen(known);
    // A row just read was seen by the statement that read it: nothing to queue.
    else known = await this.provision(principal);
    return { ...known.row, lastSeenAt: new Date(known.seenAtMs) };
  }

  private provision(principal: Principal): Promise<KnownUser> {
    const key = keyOf(principal);
    const known = this.known.get(key);
    if (known !== undefined) return Promise.resolve(known);
    // Concurrent first requests in this instance share one round trip; other instances rely on the upsert.
    let pending = this.provisioning.get(key);
    if (pending === undefined) {
      pending = this.create(issuerOf(principal), principal.sub)
        .then((row) => {
          // The statement wrote lastSeenAt (on creation, or moved it to now for a known user).
          const storedSeenAtMs = row.lastSeenAt.getTime();
          const entry: KnownUser = {
            row,
            seenAtMs: storedSeenAtMs,
            storedSeenAtMs,
            writtenAtMs: Date.now(),
            queued: false,
          };
          this.known.set(key, entry);
          return entry;
        })
        .finally(() => this.provisioning.delete(key));
      this.provisioning.set(key, pending);
    }
    return pending;
  }

  /**
   * The row of `(issuer, subject)`, created or seen (its `lastSeenAt` moved to now) together with the
   * other first sights queued by then.
   */
  private create(issuer: string, subject: string): Promise<StoredUser> {
    return new Promise((resolve, reject) => {
      this.firstSights.push({ issuer, subject, resolve, reject });
      if (!this.creating) {
        this.creating = true;
        setImmediate(() => void this.createQueued());
      }
    });
  }

  /** Creates the queued first sights, {@link PROVISION_BATCH} a statement, until none is left. */
  private async createQueued(): Promise<void> {
    while (this.firstSights.length > 0) {
      const batch = this.firstSights.splice(0, PROVISION_BATCH);
      try {
        const rows = await this.repository.findOrCreateMany(batch);
        batch.forEach((sight, i) => sight.resolve(rows[i]!));
      } catch (error) {
        for (const sight of batch) sight.reject(error);
      }
    }
    this.creating = false;
  }

  private seen(known: KnownUser): void {
    known.seenAtMs = Date.now();
    // Bounded like the cache: during a long outage the oldest pending writes are simply not made.
    if (!known.queued && this.queue.length < this.settings.cacheMaxEntries) {
      known.queued = true;
      this.queue.push(known);
    }
  }

  /** Writes the `lastSeenAt` values that are due. */
  private async flush(): Promise<void> {
    if (this.flushing !== undefined || this.closing || this.queue.length === 0) return;
    if (!this.health.up) return;
    const dueBefore = Date.now() - this.settings.lastSeenWriteIntervalSec * 1000;
    const due = this.queue.filter((k) => k.writtenAtMs <= dueBefore);
    if (due.length === 0) return;
    this.flushing = this.write(due).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /**
   * Writes `due` in statements of at most {@link WRITE_BATCH} users, letting requests in between
   * for at least three times as long as each statement took: PGlite runs on this thread, and
   * 10 000 rows in one statement held it for about a second. Stops early on close, which writes
   * what is left in larger statements.
   */
  private async write(due: readonly KnownUser[]): Promise<void> {
    let pauseMs = 0;
    try {
      for (let i = 0; i < due.length; i += WRITE_BATCH) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (this.closing) break;
        const startedAt = performance.now();
        await this.touch(due.slice(i, i + WRITE_BATCH));
        pauseMs = Math.max(WRITE_PAUSE_MS, 3 * (performance.now() - startedAt));
      }
    } catch (error) {
      if (!(error instanceof UsersUnavailableError)) {
        this.logger.error(`lastSeenAt write failed (${errorClass(error)})`);
      }
    }
    this.queue = this.queue.filter((k) => (k.queued = k.storedSeenAtMs < k.seenAtMs));
  }

  /**
   * Writes every `lastSeenAt` not yet written, in statements of up to {@link CLOSE_WRITE_BATCH}
   * rows, each sized by the last one's time a row to end before `deadline` (`performance.now()`
   * time); then logs how many values were dropped, if any, in one line.
   */
  private async writeOnClose(deadline: number): Promise<void> {
    const pending = new Set(this.queue);
    // Seen while the queue was full (it is bounded like the cache): written now all the same.
    for (const known of this.known.values()) pending.add(known);
    const unwritten = [...pending].filter((k) => k.storedSeenAtMs < k.seenAtMs);
    if (unwritten.length === 0) return;
    let msPerRow = ASSUMED_CLOSE_WRITE_MS_PER_ROW;
    let written = 0;
    let reason = `not written within ${this.settings.closeWriteTimeoutMs} ms`;
    try {
      while (written < unwritten.length) {
        // Half the time left: a statement twice as slow a row as the last one still ends in time.
        const rows = Math.min(
          CLOSE_WRITE_BATCH,
          Math.floor((deadline - performance.now()) / (2 * msPerRow)),
        );
        if (rows < 1) break;
        const batch = unwritten.slice(written, written + rows);
        const startedAt = performance.now();
        await this.touch(batch);
        msPerRow = Math.max((performance.now() - startedAt) / batch.length, 0.001);
        written += batch.length;
      }
    } catch (error) {
      reason =
        error instanceof UsersUnavailableError
          ? 'the database cannot be reached'
          : `the write failed (${errorClass(error)})`;
    }
    const dropped = unwritten.length - written;
    if (dropped > 0) {
      this.logger.warn(
        `shutdown: ${dropped} of ${unwritten.length} lastSeenAt values dropped (${reason}); those users keep an earlier lastSeenAt`,
      );
    }
  }

  /** Writes the `lastSeenAt` of `batch` in one statement, and records it as written. */
  private async touch(batch: readonly KnownUser[]): Promise<void> {
    const seen = batch.map((known) => ({ known, seenAtMs: known.seenAtMs }));
    await this.repository.touch(
      seen.map(({ known, seenAtMs }) => ({ id: known.row.id, lastSeenAt: new Date(seenAtMs) })),
    );
    const now = Date.now();
    for (const { known, seenAtMs } of seen) {
      known.storedSeenAtMs = seenAtMs;
      known.writtenAtMs = now;
    }
  }
}

function issuerOf(principal: Principal): string {
  const iss = principal.claims['iss'];
  return typeof iss === 'string' ? iss : '';
}

/** An unambiguous key of `(issuer, subject)`: the issuer's length first, so no pair can collide. */
function keyOf(principal: Principal): string {
  const issuer = issuerOf(principal);
  return `${issuer.length}:${issuer}${principal.sub}`;
}
