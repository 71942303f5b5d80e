/**
 * The policy's declared windows, grouped by key (all windows keyed by account share one state per
 * account, all keyed by account×merchant another, …). For each payment every group finds or
 * creates its key's state, folds the payment in (where its filter holds) and reads every window
 * into the feature vector — so windows include the payment being decided. A window whose key is
 * unknown (a payment without a device, for a device window) reads as unknown (NaN).
 */
import { KeyedWindows } from '../features/keyed-windows.js';
import { PairKeyedWindows } from '../features/pair-keyed-windows.js';
import { WindowLayout, type KeyWindows } from '../features/window-layout.js';
import type { FeatureVector } from '../features/vector.js';
import type { WindowFeature } from '../rules/policy-types.js';

const KEY_SEPARATOR = '\u0001';
/** No group is swept more often than this (event time): short-window keys are few, visiting them is not. */
const MIN_SWEEP_MS = 6 * 3_600_000;

/** What a window reads when its key has no state: nothing counted, no mean or extreme known. */
function emptyValue(w: WindowFeature): number {
  return w.agg === 'mean' || w.agg === 'max' || w.agg === 'min' ? NaN : 0;
}

/**
 * All windows sharing one key, with their shared per-key state. One-part keys live in a
 * KeyedWindows, two-part keys in a PairKeyedWindows (no joined string per payment), longer keys are
 * joined. A key's state is only created when the payment enters at least one of its windows.
 */
class WindowGroup {
  readonly keyName: string;
  readonly keySlots: readonly number[];
  readonly windows: readonly WindowFeature[];
  readonly layout: WindowLayout;
  private readonly single: KeyedWindows | null;
  private readonly pair: PairKeyedWindows | null;
  private readonly empty: Float64Array;
  /** per window, whether the payment being applied enters it (scratch, reused). */
  private readonly enters: Uint8Array;
  /** event time of this group's next sweep; see WindowGroups.sweep. */
  nextSweep = -Infinity;

  constructor(windows: WindowFeature[]) {
    this.windows = windows;
    this.keySlots = windows[0].keySlots;
    this.keyName = windows[0].keyNames.join('×');
    this.layout = new WindowLayout(windows.map((w) => ({ agg: w.agg, lengthMs: w.lengthMs, buckets: w.buckets })));
    this.pair = this.keySlots.length === 2 ? new PairKeyedWindows(this.layout) : null;
    this.single = this.pair === null ? new KeyedWindows(this.layout) : null;
    this.empty = Float64Array.from(windows, emptyValue);
    this.enters = new Uint8Array(windows.length);
  }

  /** Live keys. */
  get size(): number {
    return this.single !== null ? this.single.size : this.pair!.size;
  }

  /** The key's state; created on demand when `create`; undefined when a key part is unknown. */
  private state(v: FeatureVector, create: boolean): KeyWindows | undefined {
    const slots = this.keySlots;
    const str = v.str;
    const first = str[slots[0]];
    if (first === '') return undefined;
    if (this.pair !== null) {
      const second = str[slots[1]];
      if (second === '') return undefined;
      return create ? this.pair.getOrCreate(first, second) : this.pair.get(first, second);
    }
    let k = first;
    for (let i = 1; i < slots.length; i++) {
      const part = str[slots[i]];
      if (part === '') return undefined;
      k = k + KEY_SEPARATOR + part;
    }
    return create ? this.single!.getOrCreate(k) : this.single!.get(k);
  }

  /** Folds the payment into its key's windows and writes every window's value into `v`. */
  apply(v: FeatureVector, t: number): void {
    const windows = this.windows;
    const num = v.num;
    const enters = this.enters;
    let any = false;
    for (let i = 0; i < windows.length; i++) {
      const f = windows[i].filter;
      const e = f === null || f(v);
      enters[i] = e ? 1 : 0;
      any ||= e;
    }
    const s = this.state(v, any);
    if (s === undefined) {
      const unknown = this.anyPartUnknown(v);
      for (let i = 0; i < windows.length; i++) num[windows[i].slot] = unknown ? NaN : this.empty[i];
      return;
    }
    const layout = this.layout;
    for (let i = 0; i < windows.length; i++) {
      if (enters[i] === 0) continue;
      const w = windows[i];
      if (w.agg === 'distinct') {
        const value = v.str[w.valueSlot];
        if (value !== '') layout.addDistinct(s, i, t, value);
        else layout.touch(s, t);
      } else if (w.agg === 'count') {
        layout.add(s, i, t, 1);
      } else {
        layout.add(s, i, t, num[w.valueSlot]);
      }
    }
    for (let i = 0; i < windows.length; i++) num[windows[i].slot] = layout.read(s, i, t);
  }

  private anyPartUnknown(v: FeatureVector): boolean {
    for (const slot of this.keySlots) if (v.str[slot] === '') return true;
    return false;
  }

  /** Drops keys no window can see at `now`. */
  sweep(now: number): number {
    return this.single !== null ? this.single.sweep(now) : this.pair!.sweep(now);
  }
}

/** Every window group of a policy. */
export class WindowGroups {
  readonly groups: readonly WindowGroup[];

  constructor(windows: readonly WindowFeature[]) {
    const byKey = new Map<string, WindowFeature[]>();
    for (const w of windows) {
      const k = w.keyNames.join('\u0000');
      const list = byKey.get(k);
      if (list) list.push(w);
      else byKey.set(k, [w]);
    }
    this.groups = [...byKey.values()].map((ws) => new WindowGroup(ws));
  }

  /** Updates and reads every window for one payment. */
  apply(v: FeatureVector, t: number): void {
    const groups = this.groups;
    for (let i = 0; i < groups.length; i++) groups[i].apply(v, t);
  }

  /**
   * Drops keys no window can see any more; returns how many went. Each group is swept once per
   * its longest window (at most every MIN_SWEEP_MS): a key then lives at most twice that long, and every key
   * is visited about twice in its life, so sweeping costs O(1) per key instead of O(keys) per call.
   */
  sweep(now: number): number {
    let n = 0;
    for (const g of this.groups) {
      if (now < g.nextSweep) continue;
      if (g.nextSweep !== -Infinity) n += g.sweep(now);
      g.nextSweep = now + Math.max(g.layout.maxLengthMs, MIN_SWEEP_MS);
    }
    return n;
  }

  /** Live keys per group, for metrics and memory benchmarks. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) out[g.keyName] = g.size;
    return out;
  }
}
