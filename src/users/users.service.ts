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
  private provisioningFailureLogged = false;

  constructor(
    @Inject(USERS_SETTINGS) private readonly settings: UsersSettings,
    private readonly repository: UsersRepository,
    private readonly health: UsersDatabaseHealth,
  ) {
    this.known = new LRUCache({ max: settings.cacheMaxEntries });
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flush(false), this.settings.flushIntervalMs);
    this.flushTimer.unref();
  }

  /** Writes every pending `lastSeenAt` before the database closes (`app.close()`, SIGTERM). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushing;
    await this.flush(true);
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

  /** Writes the due `lastSeenAt` values (all of them when `all`). */
  private async flush(all: boolean): Promise<void> {
    if (this.flushing !== undefined || this.queue.length === 0) return;
    if (!all && !this.health.up) return;
    const dueBefore = Date.now() - this.settings.lastSeenWriteIntervalSec * 1000;
    const due = this.queue.filter((k) => all || k.writtenAtMs <= dueBefore);
    if (due.length === 0) return;
    this.flushing = this.write(due, !all).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /**
   * Writes `due` in statements of at most {@link WRITE_BATCH} users, letting requests in between
   * (when `paced`, for at least three times as long as each statement took; on close, just a
   * turn): PGlite runs on this thread, and 10 000 rows in one statement held it for about a second.
   */
  private async write(due: readonly KnownUser[], paced: boolean): Promise<void> {
    let pauseMs = 0;
    try {
      for (let i = 0; i < due.length; i += WRITE_BATCH) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        const batch = due.slice(i, i + WRITE_BATCH).map((known) => ({
          known,
          seenAtMs: known.seenAtMs,
        }));
        const startedAt = performance.now();
        await this.repository.touch(
          batch.map((b) => ({ id: b.known.row.id, lastSeenAt: new Date(b.seenAtMs) })),
        );
        if (paced) pauseMs = Math.max(WRITE_PAUSE_MS, 3 * (performance.now() - startedAt));
        const now = Date.now();
        for (const { known, seenAtMs } of batch) {
          known.storedSeenAtMs = seenAtMs;
          known.writtenAtMs = now;
        }
      }
    } catch (error) {
      if (!(error instanceof UsersUnavailableError)) {
        this.logger.error(`lastSeenAt write failed (${errorClass(error)})`);
      }
    }
    this.queue = this.queue.filter((k) => (k.queued = k.storedSeenAtMs < k.seenAtMs));
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
