/**
 * The engine's clock: a watermark over event time that one event far ahead of the stream cannot
 * move. Until this existed the clock was simply the latest event time seen, so a single payment
 * dated `9999-12-31` (a till with a wrong clock, or a hostile `decide` key) moved it to the year 9999,
 * and the next sweep dropped every account's, merchant's and device's windows as expired: velocity
 * went blind for everyone.
 *
 * The rule (bounded out-of-orderness, with confirmation for jumps):
 * - an event at most `maxLeadMs` ahead of the watermark advances it to the event's time (every
 *   ordinary event of a busy stream);
 * - an event further ahead is *early*: it is applied at its own time to its own keys (its account,
 *   merchant, terminal, device and IP windows see it there), but the watermark does not move;
 * - a run of `confirmations` early events in a row, with no ordinary event between them, is a real
 *   gap in the stream (a quiet night, a backfill that skips ahead): the watermark jumps to the earliest
 *   of them. An ordinary or late event ends the run.
 *
 * Only forgetting depends on the watermark (window and label sweeps, detector queues): reads are
 * made at each payment's own time, so a lagging watermark costs memory, never a decision.
 */
export class EventClock {
  /** The watermark: -Infinity before the first event. */
  private mark = -Infinity;
  /** Early events in the current run, and the earliest of them. */
  private run = 0;
  private runMin = Infinity;

  /**
   * @param maxLeadMs how far ahead of the watermark an event may be and still move it at once
   * @param confirmations early events in a row that prove a real jump of the stream's time
   */
  constructor(
    readonly maxLeadMs: number = DEFAULT_MAX_LEAD_MS,
    readonly confirmations: number = DEFAULT_CONFIRMATIONS,
  ) {}

  /** The watermark. */
  get now(): number {
    return this.mark;
  }

  /** Notes one event's time; returns the watermark afterwards. */
  observe(t: number): number {
    if (!(t === t)) return this.mark; // NaN moves nothing
    if (this.mark === -Infinity || t <= this.mark + this.maxLeadMs) {
      if (t > this.mark) this.mark = t;
      this.run = 0;
      this.runMin = Infinity;
      return this.mark;
    }
    this.run++;
    if (t < this.runMin) this.runMin = t;
    if (this.run >= this.confirmations) {
      this.mark = this.runMin;
      this.run = 0;
      this.runMin = Infinity;
    }
    return this.mark;
  }

  /** The state a snapshot keeps (watermark, run length, run minimum). */
  state(): [number, number, number] {
    return [this.mark, this.run, this.runMin];
  }

  /** Restores what `state` returned. */
  restore(s: readonly [number, number, number]): void {
    [this.mark, this.run, this.runMin] = s;
  }
}

/**
 * Ten minutes: beyond any clock difference between honest tills and the switch, far below the
 * shortest velocity window a policy uses (so an early event kept out of the watermark cannot empty it).
 */
export const DEFAULT_MAX_LEAD_MS = 10 * 60_000;
/** Eight early events in a row: a real gap in a stream, not one bad till among honest ones. */
export const DEFAULT_CONFIRMATIONS = 8;
