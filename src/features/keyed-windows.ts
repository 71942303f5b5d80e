/**
 * All keys of one key kind (account, device, merchant, …) and their window states. Memory is bounded
 * by sweeping: a key whose newest event is older than the longest window is invisible to every read,
 * so it is dropped and its storage goes back to the layout for the next new key.
 */
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import { ShardedMap } from './sharded-map.js';
import { type KeyWindows, type OwnerCodec, type WindowLayout } from './window-layout.js';

/** Map overhead per entry plus a typical short key string, in bytes; only feeds `approxBytes`. */
const MAP_ENTRY_BYTES = 80;

/**
 * One key kind's states, keyed by the joined key string (a ShardedMap: no stall when it grows): one
 * lookup per key kind per payment, then every window of that kind is served from one state.
 */
export class KeyedWindows {
  readonly layout: WindowLayout;
  private readonly states = new ShardedMap<KeyWindows>();

  constructor(layout: WindowLayout) {
    this.layout = layout;
  }

  /** Number of keys held; what memory scales with. */
  get size(): number {
    return this.states.size;
  }

  /** The key's state, or undefined when never seen (or swept): reads can then skip the layout. */
  get(key: string): KeyWindows | undefined {
    return this.states.get(key);
  }

  /** The key's state, created empty on first use so that writers need no existence check. */
  getOrCreate(key: string): KeyWindows {
    let s = this.states.get(key);
    if (s === undefined) {
      s = this.layout.createState(key);
      this.states.set(key, s);
    }
    return s;
  }

  /** Drops one key and gives its storage back (e.g. an account closed); false when absent. */
  delete(key: string): boolean {
    const s = this.states.get(key);
    if (s === undefined) return false;
    this.layout.release(s);
    return this.states.delete(key);
  }

  /**
   * Drops every key no window can see at `now` in one call and returns how many: O(keys), so a live
   * engine sweeps in slices instead (sweepFrom). Only for a layout this map has to itself (a shared
   * layout is swept by its owner, see forgetIf).
   */
  sweep(now: number): number {
    return this.layout.sweepExpired(now, this.forget);
  }

  /** One slice of a sweep (WindowLayout.sweepFrom): `budget` slots from `from`; returns where to go on, -1 when done. */
  sweepFrom(from: number, budget: number, now: number): number {
    return this.layout.sweepFrom(from, budget, now, this.forget);
  }

  /**
   * Forgets `key` if it still maps to `state` (a state the layout has just released); false when it
   * belongs to another map. Key kinds sharing one layout sweep it once and route each dropped state
   * through every map's forgetIf — a sweep releases expired states of every map on the layout.
   */
  forgetIf(key: unknown, state: KeyWindows): boolean {
    if (this.states.get(key as string) !== state) return false;
    this.states.delete(key as string);
    return true;
  }

  private readonly forget = (key: unknown, state: KeyWindows): void => {
    this.forgetIf(key, state);
  };

  /**
   * Writes the key → state map (whether it is split, keys as string references, handles raw); the
   * layout, which may be shared with other key kinds, is written by its owner.
   */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('KEYS');
    w.bool(this.states.split);
    const n = this.states.size;
    const keys = new Array<string>(n);
    const handles = new Int32Array(n);
    let i = 0;
    this.states.forEach((h, k) => {
      keys[i] = k;
      handles[i++] = h;
    });
    w.strs(keys);
    w.i32s(handles);
  }

  /** Restores the map written by writeSnapshot into this empty key kind (its layout restored apart). */
  readSnapshot(r: SnapshotReader): void {
    r.expect('KEYS');
    if (this.states.size > 0) throw new RangeError('KeyedWindows.readSnapshot needs an empty key kind');
    if (r.bool()) this.states.divide();
    const keys = r.strs();
    const handles = r.i32s();
    if (keys.length !== handles.length) throw new RangeError('key snapshot: keys and handles differ in length');
    for (let i = 0; i < keys.length; i++) this.states.set(keys[i] as string, handles[i]);
  }

  /** Rough bytes held by this key kind, cheap enough for a metrics endpoint. */
  approxBytes(): number {
    return this.layout.approxBytes() + this.states.size * MAP_ENTRY_BYTES;
  }
}

/** Owners of KeyedWindows states: their key strings (null for a free slot). */
export const STRING_OWNERS: OwnerCodec = {
  write: (owners, w) => w.strs(owners as readonly (string | null)[]),
  read: (r) => r.strs(),
};
