/**
 * The buffer between generation and writing. Generators push events in any order within the day they
 * work on (and later: journeys, label delays); the timeline releases them sorted by time up to a
 * horizon, so the output is in non-decreasing `ts` while memory stays bounded to about one day.
 */
import type { SimEvent } from './model.js';

/** Time-ordered release of generated events. */
export class Timeline {
  private pending: SimEvent[] = [];
  private seq = 0;
  private horizon = -Infinity;

  /** Adds an event; it must not be earlier than what was already released. */
  push(event: SimEvent): void {
    if (!(event.t >= this.horizon)) {
      throw new Error(`simulator bug: ${event.type} at ${event.t} is before the released horizon ${this.horizon}`);
    }
    event.seq = this.seq++;
    this.pending.push(event);
  }

  /** Removes and returns, sorted by (time, generation order), every event before `until`. */
  release(until: number): SimEvent[] {
    const out: SimEvent[] = [];
    const keep: SimEvent[] = [];
    for (const e of this.pending) (e.t < until ? out : keep).push(e);
    this.pending = keep;
    this.horizon = Math.max(this.horizon, until);
    out.sort((a, b) => a.t - b.t || a.seq - b.seq);
    return out;
  }

  /** Removes and returns everything left, sorted. */
  releaseAll(): SimEvent[] {
    return this.release(Infinity);
  }
}
