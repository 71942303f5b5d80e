/**
 * The last minute of decisions, for the analyst console's overview (`GET /v1/overview`): counts per
 * outcome, per score bin and per reason code, and a latency histogram, each in a ring of 60
 * one-second slots of wall time. Recording is on the answer path of every payment, so it is O(1)
 * per decision (and per reason code) and allocates nothing once a code has been seen: a slot is
 * cleared when the clock first enters its second, never by a timer. Reading — every 2 s per open
 * console — sums the slots of the last 60 s; that is where the work is, and it is small (a few
 * thousand integers).
 */
import { OUTCOMES, type Outcome } from '../rules/policy-types.js';

/** Seconds the window spans: the overview's figures are over the last minute of wall time. */
export const WINDOW_SECONDS = 60;

/** Score bins of width 10 over 0–100 (the last one holds 100 too). */
export const SCORE_BINS = 10;

/**
 * Latency buckets: exact up to 31 µs, then 16 per power of two up to 2^27 µs (134 s), so a bucket's
 * upper bound is at most 1/16 (6.25%) above any value in it — the precision of a reported p50/p99.
 */
const SUB = 16;
const LINEAR = 2 * SUB;
const MAX_EXP = 26;
const LATENCY_BUCKETS = LINEAR + (MAX_EXP - 4) * SUB;
const MAX_US = 2 ** (MAX_EXP + 1) - 1;

/**
 * Distinct reason codes counted. A policy's codes are a small closed set (dozens; a few hundred with
 * generated rules), but policies change while the server runs: codes unseen for a minute are dropped
 * when the overview is read, and past this bound a new code goes uncounted rather than grow memory.
 */
const MAX_CODES = 4_096;

/**
 * The bucket of a latency in whole microseconds (clamped to 0 … MAX_US): a few integer operations,
 * so every answer can afford it; exported for the tests and the benchmark to check the quantiles.
 */
export function latencyBucket(us: number): number {
  const v = us <= 0 ? 0 : us >= MAX_US ? MAX_US : us | 0;
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v); // ≥ 5
  return LINEAR + (e - 5) * SUB + ((v >>> (e - 4)) - SUB);
}

/** The largest latency (µs) bucket `i` holds: what a quantile falling in it reports, so p99 is never understated. */
export function bucketUpperUs(i: number): number {
  if (i < LINEAR) return i;
  const e = 5 + Math.floor((i - LINEAR) / SUB);
  const m = SUB + ((i - LINEAR) % SUB);
  return ((m + 1) << (e - 4)) - 1;
}

/** One reason code's ring: a count per slot and the second each slot was last written in. */
interface CodeRing {
  readonly counts: Int32Array;
  readonly seconds: Float64Array;
}

/** What the window holds when read: the last WINDOW_SECONDS seconds, the current one included. */
export interface WindowFigures {
  readonly decisions: number;
  /**
   * The wall time the counts cover, in seconds: from the start of the oldest second in the window
   * (59 s and a fraction), or from the window's creation when that is later (a server up for less
   * than a minute), at least 1 — what decisions per second divide by, so a fresh server's rate is
   * not understated for its first minute.
   */
  readonly seconds: number;
  readonly outcomes: Record<Outcome, number>;
  /** Score bins [0,10), [10,20), … [90,100]. */
  readonly scoreBins: readonly number[];
  /** Upper bounds of the buckets the quantiles fall in (µs); null without decisions. */
  readonly latencyUs: { readonly p50: number | null; readonly p99: number | null };
  /** Reason codes by decisions that carried them, most first (ties by code), at most `topCodes`. */
  readonly topCodes: readonly { readonly code: string; readonly hits: number }[];
}

/** The rings; one per server, fed by the decision service, read by the overview. */
export class LiveWindow {
  /** Per slot, the wall-clock second (epoch s) its counters belong to; NaN before first use. */
  private readonly slotSecond = new Float64Array(WINDOW_SECONDS).fill(NaN);
  private readonly outcomeCounts = new Int32Array(WINDOW_SECONDS * OUTCOMES.length);
  private readonly binCounts = new Int32Array(WINDOW_SECONDS * SCORE_BINS);
  private readonly latencyCounts = new Int32Array(WINDOW_SECONDS * LATENCY_BUCKETS);
  private readonly codes = new Map<string, CodeRing>();

  /** `startedAt`: when counting began (epoch ms; the server's start), the earliest the window can cover. */
  constructor(private readonly startedAt: number = Date.now()) {}

  /**
   * Counts one decision made at `now` (epoch ms): its outcome, score (0–100), latency (µs) and
   * reason codes. O(1) per decision and per code; allocation only for a code never seen before.
   */
  record(now: number, outcome: Outcome, score: number, latencyUs: number, reasons: readonly { readonly code: string }[]): void {
    const sec = Math.floor(now / 1000);
    const slot = sec % WINDOW_SECONDS;
    if (this.slotSecond[slot] !== sec) this.enter(slot, sec);
    const o = outcome === 'approve' ? 0 : outcome === 'review' ? 1 : outcome === 'challenge' ? 2 : 3; // OUTCOMES' order
    this.outcomeCounts[slot * OUTCOMES.length + o]++;
    const bin = score >= 100 ? SCORE_BINS - 1 : score > 0 ? Math.floor(score / 10) : 0;
    this.binCounts[slot * SCORE_BINS + bin]++;
    this.latencyCounts[slot * LATENCY_BUCKETS + latencyBucket(latencyUs)]++;
    for (let i = 0; i < reasons.length; i++) {
      const code = reasons[i].code;
      let ring = this.codes.get(code);
      if (ring === undefined) {
        if (this.codes.size >= MAX_CODES) continue;
        ring = { counts: new Int32Array(WINDOW_SECONDS), seconds: new Float64Array(WINDOW_SECONDS).fill(NaN) };
        this.codes.set(code, ring);
      }
      if (ring.seconds[slot] !== sec) {
        ring.seconds[slot] = sec;
        ring.counts[slot] = 0;
      }
      ring.counts[slot]++;
    }
  }

  /** The figures of the WINDOW_SECONDS seconds up to `now` (epoch ms), the current second included. */
  read(now: number, topCodes = 10): WindowFigures {
    const sec = Math.floor(now / 1000);
    const live = (s: number): boolean => s <= sec && s > sec - WINDOW_SECONDS;
    const outcomes = new Float64Array(OUTCOMES.length);
    const bins = new Array<number>(SCORE_BINS).fill(0);
    const latency = new Float64Array(LATENCY_BUCKETS);
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      if (!live(this.slotSecond[slot])) continue;
      for (let o = 0; o < OUTCOMES.length; o++) outcomes[o] += this.outcomeCounts[slot * OUTCOMES.length + o];
      for (let b = 0; b < SCORE_BINS; b++) bins[b] += this.binCounts[slot * SCORE_BINS + b];
      const base = slot * LATENCY_BUCKETS;
      for (let b = 0; b < LATENCY_BUCKETS; b++) latency[b] += this.latencyCounts[base + b];
    }
    let decisions = 0;
    for (let o = 0; o < OUTCOMES.length; o++) decisions += outcomes[o];
    const hits: { code: string; hits: number }[] = [];
    for (const [code, ring] of this.codes) {
      let n = 0;
      for (let slot = 0; slot < WINDOW_SECONDS; slot++) if (live(ring.seconds[slot])) n += ring.counts[slot];
      // a code nobody hit for a minute (a policy since replaced) is forgotten; it comes back if hit again
      if (n === 0 && !hasFuture(ring.seconds, sec)) this.codes.delete(code);
      else if (n > 0) hits.push({ code, hits: n });
    }
    hits.sort((a, b) => b.hits - a.hits || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const from = Math.max((sec - WINDOW_SECONDS + 1) * 1000, this.startedAt);
    return {
      decisions,
      seconds: Math.max(1, (now - from) / 1000),
      outcomes: { approve: outcomes[0], review: outcomes[1], challenge: outcomes[2], decline: outcomes[3] },
      scoreBins: bins,
      latencyUs: { p50: quantile(latency, decisions, 0.5), p99: quantile(latency, decisions, 0.99) },
      topCodes: hits.slice(0, topCodes),
    };
  }

  /** Starts `slot` afresh for second `sec`: its old counters are a minute (or more) old. */
  private enter(slot: number, sec: number): void {
    this.slotSecond[slot] = sec;
    this.outcomeCounts.fill(0, slot * OUTCOMES.length, (slot + 1) * OUTCOMES.length);
    this.binCounts.fill(0, slot * SCORE_BINS, (slot + 1) * SCORE_BINS);
    this.latencyCounts.fill(0, slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS);
  }
}

/** True when a slot was written at a second after `sec` (the wall clock stepped back): keep the code. */
function hasFuture(seconds: Float64Array, sec: number): boolean {
  for (let i = 0; i < seconds.length; i++) if (seconds[i] > sec) return true;
  return false;
}

/** The upper bound (µs) of the bucket holding the q-quantile of `total` values; null when none. */
function quantile(buckets: Float64Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= rank) return bucketUpperUs(i);
  }
  return bucketUpperUs(buckets.length - 1);
}
