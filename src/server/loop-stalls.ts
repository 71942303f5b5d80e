/**
 * Counts the event loop's stalls for `/metrics`. Every answer waits for the one thread that parses,
 * decides and writes, so a stall of the loop is a stall of every payment in flight — and it is what
 * a p99 measured at the till shows first: the once-a-second stall a worker caused (docs/server.md,
 * "Fourth pass") was invisible in every figure the server kept until an outside monitor found it.
 * A 10 ms timer notes how late it fires: a turn of the loop that kept it waiting 20 ms or more is a
 * stall, counted by size; the largest is kept since start.
 */

/** Stall sizes counted, ms: the label values of `fengkong_event_loop_stalls_total` are these in seconds. */
export const STALL_BOUNDS_MS: readonly number[] = [20, 100, 1_000];

/** How often the watch looks, ms. */
const TICK_MS = 10;

/** A running watch of one thread's event loop. */
export class LoopStalls {
  private readonly counts = STALL_BOUNDS_MS.map(() => 0);
  private maxMs = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.look(), TICK_MS);
    this.timer.unref();
  }

  /** Stalls of at least each bound since start, as `[bound in seconds, count]` (a Prometheus family). */
  stalls(): [string, number][] {
    return STALL_BOUNDS_MS.map((b, i) => [String(b / 1000), this.counts[i]]);
  }

  /** The longest stall since start, seconds (0 before any). */
  maxSeconds(): number {
    return this.maxMs / 1000;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private look(): void {
    const now = performance.now();
    const late = now - this.last - TICK_MS;
    this.last = now;
    if (late < STALL_BOUNDS_MS[0]) return;
    if (late > this.maxMs) this.maxMs = late;
    for (let i = 0; i < STALL_BOUNDS_MS.length; i++) if (late >= STALL_BOUNDS_MS[i]) this.counts[i]++;
  }
}
