/**
 * Window states for two-part keys (account × merchant, …), held as a map of small maps instead of
 * one map of joined strings: the payment's own id strings are looked up directly (their hashes are
 * already cached from earlier lookups), and no composite key string is built per payment.
 */
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import { ShardedMap } from './sharded-map.js';
import type { KeyWindows, OwnerCodec, WindowLayout } from './window-layout.js';

/** States keyed by (first, second); memory is bounded by sweeping (`sweepFrom`) like KeyedWindows. */
export class PairKeyedWindows {
  readonly layout: WindowLayout;
  /** first part → (second part → state); a ShardedMap, so it grows without a stall. */
  private readonly outer = new ShardedMap<Map<string, KeyWindows>>();
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

  /**
   * One slice of a sweep (WindowLayout.sweepFrom): drops the pairs no window can see at `now` among
   * `budget` slots from `from`, and first parts left empty; returns where to go on, -1 when done.
   */
  sweepFrom(from: number, budget: number, now: number): number {
    return this.layout.sweepFrom(from, budget, now, this.forget);
  }

  /** Writes whether the map of first parts is split, then every (first, second) → state entry in map order; the layout is written by its owner. */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('PAIR');
    w.f64(this.count);
    w.bool(this.outer.split);
    const firsts: string[] = [];
    const seconds: string[] = [];
    const handles: number[] = [];
    this.outer.forEach((inner, first) => {
      for (const [second, h] of inner) {
        firsts.push(first);
        seconds.push(second);
        handles.push(h);
      }
    });
    w.strs(firsts);
    w.strs(seconds);
    w.i32s(Int32Array.from(handles));
  }

  /** Restores what writeSnapshot wrote into this empty key kind (its layout restored apart). */
  readSnapshot(r: SnapshotReader): void {
    r.expect('PAIR');
    if (this.outer.size > 0) throw new RangeError('PairKeyedWindows.readSnapshot needs an empty key kind');
    this.count = r.f64();
    if (r.bool()) this.outer.divide();
    const firsts = r.strs();
    const seconds = r.strs();
    const handles = r.i32s();
    if (firsts.length !== handles.length || seconds.length !== handles.length) throw new RangeError('pair snapshot: columns differ in length');
    let inner: Map<string, KeyWindows> | undefined;
    let at: string | null = null;
    for (let i = 0; i < handles.length; i++) {
      const first = firsts[i] as string;
      if (first !== at) {
        at = first;
        inner = this.outer.get(first);
        if (inner === undefined) this.outer.set(first, (inner = new Map()));
      }
      inner!.set(seconds[i] as string, handles[i]);
    }
  }

  private readonly forget = (owner: unknown): void => {
    const { first, second } = owner as PairOwner;
    const inner = this.outer.get(first);
    if (inner === undefined) return;
    if (inner.delete(second)) this.count--;
    if (inner.size === 0) this.outer.delete(first);
  };
}

/** What a pair's state belongs to, so a sweep can find its map entries. */
interface PairOwner {
  readonly first: string;
  readonly second: string;
}

/** Owners of PairKeyedWindows states: (first, second) as two string references (null for a free slot). */
export const PAIR_OWNERS: OwnerCodec = {
  write(owners, w) {
    const list = owners as readonly (PairOwner | null)[];
    w.strs(list.map((o) => (o === null ? null : o.first)));
    w.strs(list.map((o) => (o === null ? null : o.second)));
  },
  read(r) {
    const firsts = r.strs();
    const seconds = r.strs();
    return firsts.map((first, i): PairOwner | null => (first === null ? null : { first, second: seconds[i] as string }));
  },
};
