import { Injectable, Logger } from '@nestjs/common';

/** What a readiness check needs to know about the user store: never a URL, a password or a message. */
export interface DatabaseState {
  status: 'up' | 'down';
  /** When the status last changed (start-up counts as a change). */
  since: Date;
  /** The class of the last failure (an SQLSTATE, errno code or error name), while down. */
  lastError: string | undefined;
  /** `pglite` (embedded, one instance) or `postgres` (a shared server). */
  driver: 'pglite' | 'postgres';
}

/** The user store's state, synchronously, for `/health/ready`; logs each outage and each recovery once. */
@Injectable()
export class UsersDatabaseHealth {
  private readonly logger = new Logger('Users');
  private current: DatabaseState = {
    status: 'down',
    since: new Date(),
    lastError: 'NotStarted',
    driver: 'pglite',
  };

  /** The state now; cheap enough to call on every readiness probe. */
  state(): DatabaseState {
    return { ...this.current };
  }

  /** Whether the store is believed reachable (requests then use it; otherwise they do not wait for it). */
  get up(): boolean {
    return this.current.status === 'up';
  }

  /** @internal Set by `UsersDatabase` once it knows which driver it uses. */
  setDriver(driver: DatabaseState['driver']): void {
    this.current = { ...this.current, driver };
  }

  /** @internal The store answered. */
  markUp(): void {
    if (this.current.status === 'up') return;
    const wasOutage = this.current.lastError !== 'NotStarted';
    if (wasOutage) {
      const seconds = Math.round((Date.now() - this.current.since.getTime()) / 1000);
      this.logger.log(`database reachable again after ${seconds} s`);
    }
    this.current = { ...this.current, status: 'up', since: new Date(), lastError: undefined };
  }

  /** @internal The store could not be reached: `errorClass` for the state, `cause` for the log. */
  markDown(errorClass: string, cause = errorClass): void {
    if (this.current.status === 'down' && this.current.lastError !== 'NotStarted') {
      this.current = { ...this.current, lastError: errorClass };
      return;
    }
    this.logger.warn(
      `database unreachable (${cause}): users are not stored, /api/me answers 503 until it is back; retrying with backoff`,
    );
    this.current = { ...this.current, status: 'down', since: new Date(), lastError: errorClass };
  }
}
