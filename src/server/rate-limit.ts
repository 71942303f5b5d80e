/**
 * Request rate limits, checked right after the key is known and before any body is read, so a
 * client over its share costs the server a map lookup and a 429, not a JSON parse. Two guards:
 *
 * - KeyBucket: a token bucket per API key (the key's `rate` in the key store, requests per second,
 *   a burst of one second's worth). O(1) per request and no allocation: the bucket is a mutable
 *   object the Authenticator keeps beside the cached key.
 * - BadKeyThrottle: remote addresses presenting unknown or revoked keys. After `maxFailures` in a
 *   window an address is answered 429 for the rest of that window without hashing or querying its
 *   keys (a key already cached still works, so a shared NAT address keeps its good clients). The
 *   table of tracked addresses is capped; the oldest entry makes room for a new one.
 */

/** A token bucket for one key; refilled lazily on each take. */
export class KeyBucket {
  private tokens: number;
  private last: number;
  /** Requests refused since start (what /metrics shows per key id). */
  refused = 0;

  constructor(
    /** The key id (`key_…`), the metrics label. */
    readonly keyId: string,
    private rate: number,
    now: number,
  ) {
    this.tokens = Math.max(1, rate);
    this.last = now;
  }

  /** Requests per second this bucket allows. */
  get perSecond(): number {
    return this.rate;
  }

  /** Changes the rate (a PATCH or the CLI), keeping the tokens the bucket holds (capped at the new burst). */
  setRate(rate: number): void {
    this.rate = rate;
    this.tokens = Math.min(this.tokens, Math.max(1, rate));
  }

  /**
   * Takes one token at `now` (ms). 0 when the request may go; otherwise the whole seconds to wait
   * before a token is there (at least 1), for `Retry-After`.
   */
  take(now: number): number {
    const burst = Math.max(1, this.rate);
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(burst, this.tokens + (elapsed * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}

/** How BadKeyThrottle counts; see DEFAULT_BAD_KEY_LIMITS. */
export interface BadKeyLimits {
  /** Unknown keys an address may present in one window before it is refused. */
  readonly maxFailures: number;
  /** The window, ms. */
  readonly windowMs: number;
  /** Addresses tracked at most; beyond, the oldest is forgotten. */
  readonly maxAddresses: number;
}

/** 20 unknown keys in 10 s; 10,000 addresses (about 1 MB at most). */
export const DEFAULT_BAD_KEY_LIMITS: BadKeyLimits = { maxFailures: 20, windowMs: 10_000, maxAddresses: 10_000 };

interface Failures {
  count: number;
  since: number;
}

/** Unknown keys per remote address, in fixed windows, with a capped table. */
export class BadKeyThrottle {
  private readonly table = new Map<string, Failures>();
  /** Requests refused because their address sent too many unknown keys (for /metrics). */
  refused = 0;

  constructor(readonly limits: BadKeyLimits = DEFAULT_BAD_KEY_LIMITS) {}

  /** Addresses tracked now (bounded by maxAddresses). */
  get size(): number {
    return this.table.size;
  }

  /** 0 when `address` may present an unknown key now; otherwise the seconds until its window ends. */
  blocked(address: string, now: number): number {
    const f = this.table.get(address);
    if (f === undefined) return 0;
    if (now - f.since >= this.limits.windowMs) {
      this.table.delete(address);
      return 0;
    }
    if (f.count < this.limits.maxFailures) return 0;
    this.refused++;
    return Math.max(1, Math.ceil((f.since + this.limits.windowMs - now) / 1000));
  }

  /** Counts one unknown key from `address`. */
  fail(address: string, now: number): void {
    const f = this.table.get(address);
    if (f !== undefined && now - f.since < this.limits.windowMs) {
      f.count++;
      return;
    }
    if (f !== undefined) this.table.delete(address);
    else if (this.table.size >= this.limits.maxAddresses) {
      // Maps iterate in insertion order: the first key is the oldest window
      const oldest = this.table.keys().next();
      if (oldest.done !== true) this.table.delete(oldest.value);
    }
    this.table.set(address, { count: 1, since: now });
  }
}
