import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal } from './claims.js';
import { estimateHeapBytes } from './heap-size.js';
import type { KeyProvider } from './key-provider.js';
import { NOOP_AUTH_OBSERVER, type AuthObserver } from './observer.js';
import { decodeJsonSegment } from './token-header.js';

/** How many verified tokens, and how many bytes of their principals, a {@link VerifiedTokenCache} holds at most. */
export interface TokenCacheLimits {
  maxEntries: number;
  /** Estimated heap bytes of all entries together; a thousandth of it is the largest entry kept. */
  maxBytes: number;
}

/**
 * What an entry costs beyond its principal's claims: the entry and principal objects, the key (a
 * 43-character hash) and lru-cache's bookkeeping.
 */
const ENTRY_OVERHEAD_BYTES = 320;
/**
 * The share of the budget one entry may take: a token whose principal would take more than a
 * thousandth of it is verified on each request instead, so the cache always has room for a thousand.
 */
const ENTRY_SHARE = 1024;

interface Entry {
  principal: Principal;
  kid: string;
  /** The verified `iss`: whose key set `kid` must still be in. */
  iss: string | undefined;
  exp: number;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Principals of tokens verified before, so that a token presented again skips signature
 * verification. Bounded (least recently used out first), keyed by a SHA-256 of the whole token
 * (the token itself is not kept; its signed `iss` is part of what is hashed), and never weaker than
 * a full check: an entry ends at the token's `exp` exactly, and is dropped as soon as its `kid`
 * leaves the key set of its own issuer (with several issuers, a kid is only ever looked up in the
 * key set of the issuer that signed the token). Scopes are still
 * checked per request, by the guard, against the cached principal. Bounded by bytes as well as
 * entries: each principal is counted by an estimate of the heap its parsed claims hold.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;

  private readonly maxEntryBytes: number;

  constructor(
    limits: TokenCacheLimits,
    private readonly keys: Pick<KeyProvider, 'hasKey'>,
    private readonly nowSec: () => number = () => Date.now() / 1000,
    private readonly observer: AuthObserver = NOOP_AUTH_OBSERVER,
  ) {
    this.maxEntryBytes = Math.floor(limits.maxBytes / ENTRY_SHARE);
    this.entries = new LRUCache({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      maxEntrySize: this.maxEntryBytes,
    });
  }

  /** The principal of a token verified before and still valid, or `undefined`. */
  get(token: string): Principal | undefined {
    const principal = this.find(token);
    this.observer.cacheLookup(principal !== undefined);
    return principal;
  }

  private find(token: string): Principal | undefined {
    const id = hash('sha256', token, 'base64url');
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    // RFC 7519 §4.1.4: not on or after exp (the clock tolerance is for full checks only), and RFC
    // 8725 §3.10: not once the key that signed it is gone.
    if (this.nowSec() >= entry.exp || !this.keys.hasKey(entry.kid, entry.iss)) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers the principal of a token that was just verified in full. */
  set(token: string, principal: Principal): void {
    const { exp, iss } = principal.claims;
    const kid = decodeJsonSegment(token.slice(0, token.indexOf('.')))?.['kid'];
    if (typeof exp !== 'number' || typeof kid !== 'string' || this.nowSec() >= exp) return;
    const size = ENTRY_OVERHEAD_BYTES + estimateHeapBytes(principal);
    if (size > this.maxEntryBytes) return;
    // Shared by every request that presents the token, so nobody may change it.
    this.entries.set(
      hash('sha256', token, 'base64url'),
      {
        principal: deepFreeze(principal),
        kid,
        iss: typeof iss === 'string' ? iss : undefined,
        exp,
      },
      { size },
    );
  }

  /** How many principals are held. */
  get size(): number {
    return this.entries.size;
  }

  /** The estimated heap bytes of the principals held (never more than the byte budget). */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
