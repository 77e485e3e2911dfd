/**
 * Failures of one kind logged in full per window before the rest are counted: an ordinary client's
 * retries are all logged; a flood costs this many lines a second per client and kind, plus one.
 */
export const LOGGED_PER_WINDOW = 25;

/** One kind of refusal of one client: what makes two failures "the same" for the log. */
export interface FailureKind {
  client: string;
  status: number;
  error: string;
  reason: string | undefined;
}

/** The line written for a kind of failure that repeated within a window. */
export interface RepeatedFailureLine extends FailureKind {
  /** How many more failures of this kind the window saw after the ones logged in full. */
  repeated: number;
  windowMs: number;
}

/** Kinds remembered per window; beyond them failures are counted together as {@link OVERFLOW}. */
const MAX_KINDS = 1_000;
const OVERFLOW: FailureKind = {
  client: 'other clients',
  status: 0,
  error: 'any',
  reason: undefined,
};

/**
 * Bounds the log volume of a flood of refusals: within each window the first
 * {@link LOGGED_PER_WINDOW} failures of a kind (client, status, error, reason) are logged in full
 * and the rest are counted, then written as one line per kind when the window ends. A flood from
 * one client costs {@link LOGGED_PER_WINDOW} + 1 lines a window and kind; from many clients, at
 * most {@link MAX_KINDS} kinds are told apart.
 */
export class RepeatedFailures {
  private window = new Map<string, { kind: FailureKind; logged: number; repeated: number }>();
  private overflow = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: RepeatedFailureLine) => void,
    private readonly windowMs = 1_000,
    private readonly loggedPerWindow = LOGGED_PER_WINDOW,
  ) {}

  /** Whether this failure is to be logged now (one of the first of its kind in the window). */
  admit(kind: FailureKind): boolean {
    const key = `${kind.client} ${kind.status} ${kind.error} ${kind.reason ?? ''}`;
    const seen = this.window.get(key);
    if (seen !== undefined) {
      if (seen.logged < this.loggedPerWindow) {
        seen.logged += 1;
        return true;
      }
      seen.repeated += 1;
      return false;
    }
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    if (this.window.size >= MAX_KINDS) {
      this.overflow += 1;
      return false;
    }
    this.window.set(key, { kind, logged: 1, repeated: 0 });
    return true;
  }

  /** Writes the counts of the window that ends now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ended = this.window;
    this.window = new Map();
    for (const { kind, repeated } of ended.values()) {
      if (repeated > 0) this.write({ ...kind, repeated, windowMs: this.windowMs });
    }
    if (this.overflow > 0) {
      this.write({ ...OVERFLOW, repeated: this.overflow, windowMs: this.windowMs });
      this.overflow = 0;
    }
  }
}
