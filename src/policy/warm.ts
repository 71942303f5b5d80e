/**
 * Warming a policy version's windows before it goes live. A version that adds or changes windows
 * would start them empty and blind its velocity rules, so a second engine running it replays the
 * journal from the start, in slices of a few milliseconds with the event loop free in between (live
 * decisions keep flowing), then applies the events the live engine took meanwhile (seen through
 * LiveFeed.observe, in order, with their seqs). In the tick where it has applied exactly what the
 * live engine applied, `ready` runs — synchronously, so the swap it does sees no event in between.
 */
import type { FkEvent } from '../contract/events.js';
import type { Engine } from '../engine/engine.js';
import { StoreError } from '../errors.js';
import { replayEntry } from '../log/recovery.js';
import type { Journal } from '../log/journal.js';
import type { Outcome } from '../rules/policy-types.js';

/** What the warm-up needs from the live server (DecisionService has it). */
export interface LiveFeed {
  /** Seq of the last event the live engine applied, durable or not. */
  readonly appliedSeq: number;
  /** Set once the journal failed: nothing more will become durable. */
  readonly journalFailure: Error | null;
  /** Calls `fn` with every event applied from now on; returns the function that stops it. */
  observe(fn: (seq: number, e: FkEvent, answered?: Outcome) => void): () => void;
}

/** Where a warm-up is. */
export interface WarmProgress {
  /** `replay`: the journal up to where live was at the start; `catch-up`: what live took since. */
  readonly phase: 'replay' | 'catch-up';
  /** Last seq the warming engine applied. */
  readonly seq: number;
  /** Live's seq when the warm-up began (the end of the replay phase). */
  readonly replayTo: number;
  /** Live's seq now. */
  readonly liveSeq: number;
  readonly elapsedMs: number;
}

/** Thrown (as the rejection) when a warm-up is cancelled. */
export class WarmupCancelled extends Error {
  constructor(reason: string) {
    super(`warm-up cancelled: ${reason}`);
    this.name = 'WarmupCancelled';
  }
}

/** Tuning of a warm-up. */
export interface WarmOptions {
  /** Longest stretch of the event loop one slice may take (default 1 ms; the check runs every 8 events). */
  readonly sliceMs?: number;
  /** How long to wait for entries live applied before the start to become durable (default 30 s). */
  readonly durableTimeoutMs?: number;
}

interface Buffered {
  readonly seq: number;
  readonly event: FkEvent;
  /** The outcome a payment was answered with (the warm engine's state follows it, as recovery's does). */
  readonly answered?: Outcome;
}

/** One warm-up of one engine; run it once. */
export class Warmup {
  private readonly started = performance.now();
  private readonly replayTo: number;
  private next = 1;
  private buffer: Buffered[] = [];
  private taken = 0;
  private stop: (() => void) | null;
  private cancelled: string | null = null;
  private waitingSince: number | null = null;
  private readonly sliceMs: number;
  private readonly durableTimeoutMs: number;

  /** Starts observing live traffic at once (the replay target is live's seq now). */
  constructor(
    private readonly journal: Journal,
    private readonly feed: LiveFeed,
    /** A fresh engine running the version to publish (sharing the live engine's lists). */
    readonly engine: Engine,
    options: WarmOptions = {},
  ) {
    this.sliceMs = options.sliceMs ?? 1;
    this.durableTimeoutMs = options.durableTimeoutMs ?? 30_000;
    this.replayTo = feed.appliedSeq;
    this.stop = feed.observe((seq, event, answered) => this.buffer.push({ seq, event, answered }));
  }

  /** Progress for the API. */
  progress(): WarmProgress {
    return {
      phase: this.next <= this.replayTo ? 'replay' : 'catch-up',
      seq: this.next - 1,
      replayTo: this.replayTo,
      liveSeq: this.feed.appliedSeq,
      elapsedMs: Math.round(performance.now() - this.started),
    };
  }

  /** Stops observing at once and the replay at its next slice; `run` rejects with WarmupCancelled. */
  cancel(reason: string): void {
    this.cancelled ??= reason;
    this.detach();
  }

  /**
   * Replays and catches up; calls `ready(engine)` synchronously in the tick the engine has applied
   * exactly what live applied, then resolves. Rejects (without calling `ready`) when cancelled,
   * when the journal fails or cannot be read, or when `ready` throws.
   */
  run(ready: (engine: Engine) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (e: unknown): void => {
        this.detach();
        reject(e);
      };
      const step = (): void => {
        try {
          if (this.cancelled !== null) return fail(new WarmupCancelled(this.cancelled));
          const failure = this.feed.journalFailure;
          if (failure !== null) return fail(new StoreError(`the journal failed while warming: ${failure.message}`, { cause: failure }));
          const deadline = performance.now() + this.sliceMs;
          if (this.next <= this.replayTo) {
            if (!this.replaySlice(deadline)) {
              setTimeout(step, 2);
              return;
            }
          } else if (this.catchUpSlice(deadline)) {
            this.detach();
            ready(this.engine);
            resolve();
            return;
          }
          setImmediate(step);
        } catch (e) {
          fail(e);
        }
      };
      setImmediate(step);
    });
  }

  /** Applies journal entries up to the replay target until the deadline; false when none is durable yet. */
  private replaySlice(deadline: number): boolean {
    const durable = this.journal.lastSeq();
    if (durable < this.next) {
      this.waitingSince ??= performance.now();
      if (performance.now() - this.waitingSince > this.durableTimeoutMs) {
        throw new StoreError(`journal entry ${this.next} did not become durable within ${this.durableTimeoutMs} ms`);
      }
      return false;
    }
    this.waitingSince = null;
    let n = 0;
    this.journal.forEachEventInRange({ fromSeq: this.next, toSeq: Math.min(this.replayTo, durable) }, (entry) => {
      replayEntry(this.engine, entry, this.next - 1);
      this.next = entry.seq + 1;
      return (++n & 7) !== 0 || performance.now() < deadline;
    });
    return true;
  }

  /** Applies buffered live events until the deadline; true once none is left. */
  private catchUpSlice(deadline: number): boolean {
    const buf = this.buffer;
    while (this.taken < buf.length) {
      const b = buf[this.taken++];
      if (b.seq !== this.next) throw new StoreError(`warm-up lost its place: live event ${b.seq} follows ${this.next - 1}`);
      this.engine.apply(b.event, b.answered);
      this.next++;
      if ((this.taken & 7) === 0 && performance.now() >= deadline) break;
    }
    if (this.taken === buf.length) {
      this.buffer = [];
      this.taken = 0;
      return true;
    }
    if (this.taken > 8192) {
      this.buffer = buf.slice(this.taken);
      this.taken = 0;
    }
    return false;
  }

  private detach(): void {
    this.stop?.();
    this.stop = null;
    this.buffer = [];
  }
}
