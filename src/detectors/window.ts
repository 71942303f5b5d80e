/**
 * Small event-time structures the detectors share: a queue of recent hits per key that forgets what
 * is older than its window, and hourly payment counts per key over a day.
 */

const HOUR = 3_600_000;

/** One payment a detector keeps. */
export interface Hit {
  readonly seq: number;
  readonly t: number;
  readonly txId: string;
  readonly accountId: string;
  readonly amount: number;
  readonly deviceId: string | undefined;
  readonly outcome: string;
  /** Detector-specific facts (the code carried, the distance, the acquirer, …). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
}

/** The hits of one key within the window, oldest first. */
export class HitQueue {
  readonly hits: Hit[] = [];
  /** txIds already reported in a case (so a growing pattern adds only its new payments). */
  readonly reported = new Set<string>();
  newest = -Infinity;

  add(h: Hit): void {
    this.hits.push(h);
    if (h.t > this.newest) this.newest = h.t;
  }

  /** Forgets hits older than `windowMs` before `now`. */
  prune(now: number, windowMs: number): void {
    const from = now - windowMs;
    let i = 0;
    while (i < this.hits.length && this.hits[i].t < from) this.reported.delete(this.hits[i++].txId);
    if (i > 0) this.hits.splice(0, i);
  }

  /** Distinct accounts among the hits. */
  accounts(): Map<string, Hit[]> {
    const by = new Map<string, Hit[]>();
    for (const h of this.hits) {
      const l = by.get(h.accountId);
      if (l === undefined) by.set(h.accountId, [h]);
      else l.push(h);
    }
    return by;
  }
}

/** Hit queues by key, with a periodic sweep of keys whose newest hit left the window. */
export class HitQueues {
  private readonly map = new Map<string, HitQueue>();
  private nextSweep = -Infinity;

  constructor(readonly windowMs: number) {}

  get(key: string): HitQueue | undefined {
    return this.map.get(key);
  }

  /** The queue of `key`, pruned to the window ending at `now` (created when missing). */
  at(key: string, now: number): HitQueue {
    let q = this.map.get(key);
    if (q === undefined) {
      q = new HitQueue();
      this.map.set(key, q);
    }
    q.prune(now, this.windowMs);
    return q;
  }

  /** Drops keys with nothing in the window; at most once an hour of event time. */
  sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + HOUR;
    for (const [k, q] of this.map) if (q.newest < now - this.windowMs) this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Payments per key per hour over the last 24 hours of event time: the denominator of shares. */
export class HourlyCounts {
  private readonly map = new Map<string, { hours: Int32Array; counts: Float64Array; newest: number }>();
  private nextSweep = -Infinity;

  /** Counts one payment of `key` at `t`; keys idle a day before `sweepAt` (the watermark) are forgotten. */
  add(key: string, t: number, sweepAt: number): void {
    let c = this.map.get(key);
    if (c === undefined) {
      c = { hours: new Int32Array(24).fill(-1), counts: new Float64Array(24), newest: t };
      this.map.set(key, c);
    }
    const h = Math.floor(t / HOUR);
    const s = h % 24;
    if (c.hours[s] !== h) {
      if (c.hours[s] > h) return; // older than a day
      c.hours[s] = h;
      c.counts[s] = 0;
    }
    c.counts[s]++;
    if (t > c.newest) c.newest = t;
    if (sweepAt >= this.nextSweep) {
      this.nextSweep = sweepAt + HOUR;
      for (const [k, x] of this.map) if (x.newest < sweepAt - 24 * HOUR) this.map.delete(k);
    }
  }

  /** Payments of `key` in the 24 hours before `now`. */
  count(key: string, now: number): number {
    const c = this.map.get(key);
    if (c === undefined) return 0;
    const h = Math.floor(now / HOUR);
    let n = 0;
    for (let s = 0; s < 24; s++) if (c.hours[s] > h - 24 && c.hours[s] <= h) n += c.counts[s];
    return n;
  }
}
