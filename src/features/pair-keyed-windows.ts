/**
 * Window states for two-part keys (account × merchant, …), held as a map of small maps instead of
 * one map of joined strings: the payment's own id strings are looked up directly (their hashes are
 * already cached from earlier lookups), and no composite key string is built per payment.
 */
import type { KeyWindows, WindowLayout } from './window-layout.js';

/** States keyed by (first, second); memory is bounded by `sweep` like KeyedWindows. */
export class PairKeyedWindows {
  readonly layout: WindowLayout;
  private readonly outer = new Map<string, Map<string, KeyWindows>>();
  private count = 0;

  constructor(layout: WindowLayout) {
    this.layout = layout;
  }

  /** Number of (first, second) pairs held. */
  get size(): number {
    return this.count;
  }

  /** The pair's state, or undefined when never seen (or swept). */
  get(first: string, second: string): KeyWindows | undefined {
    const inner = this.outer.get(first);
    return inner === undefined ? undefined : inner.get(second);
  }

  /** The pair's state, created empty on first use. */
  getOrCreate(first: string, second: string): KeyWindows {
    let inner = this.outer.get(first);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(first, inner);
    }
    let s = inner.get(second);
    if (s === undefined) {
      s = this.layout.createState({ first, second } satisfies PairOwner);
      inner.set(second, s);
      this.count++;
    }
    return s;
  }

  /** Drops every pair no window can see at `now`, and first parts left empty; returns how many pairs went. */
  sweep(now: number): number {
    const n = this.layout.sweepExpired(now, this.forget);
    this.count -= n;
    return n;
  }

  private readonly forget = (owner: unknown): void => {
    const { first, second } = owner as PairOwner;
    const inner = this.outer.get(first);
    if (inner === undefined) return;
    inner.delete(second);
    if (inner.size === 0) this.outer.delete(first);
  };
}

/** What a pair's state belongs to, so a sweep can find its map entries. */
interface PairOwner {
  readonly first: string;
  readonly second: string;
}
