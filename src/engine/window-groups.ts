/**
 * The policy's declared windows, grouped by key (all windows keyed by account share one state per
 * account, all keyed by account×merchant another, …). For each payment every group finds or
 * creates its key's state, folds the payment in (where its filter holds) and reads every window
 * into the feature vector — so windows include the payment being decided. A window whose key is
 * unknown (a payment without a device, for a device window) reads as unknown (NaN).
 */
import { KeyedWindows, STRING_OWNERS } from '../features/keyed-windows.js';
import { PAIR_OWNERS, PairKeyedWindows } from '../features/pair-keyed-windows.js';
import { hash53 } from '../features/pair-pool.js';
import { WindowLayout, type KeyWindows } from '../features/window-layout.js';
import type { FeatureVector } from '../features/vector.js';
import type { WindowFeature } from '../rules/policy-types.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import type { SharedWindowRecord } from './shared-effects.js';

const KEY_SEPARATOR = '\u0001';
/** No group is swept more often than this (event time): short-window keys are few, visiting them is not. */
const MIN_SWEEP_MS = 6 * 3_600_000;
/**
 * Slots a sweep in progress looks at per event: a few µs each time (more only where many keys
 * expire at once), so a group of 300,000 keys is swept over ~600 events instead of in one 200 ms stall.
 */
const SWEEP_SLICE = 512;

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
  /** The group's windows' signatures in order: equal signatures, interchangeable state. */
  readonly signature: string;
  readonly layout: WindowLayout;
  /**
   * False when the key includes the account: in a partitioned cluster that state lives only with the
   * account's partition, while every partition keeps the shared groups (docs/scale-out.md).
   */
  readonly shared: boolean;
  /** A short name of `signature`, carried by records of shared effects instead of the signature. */
  readonly tag: string;
  keySlots: readonly number[];
  windows: readonly WindowFeature[];
  private readonly single: KeyedWindows | null;
  private readonly pair: PairKeyedWindows | null;
  private empty: Float64Array;
  /** per window, whether the payment being applied enters it (scratch, reused). */
  private enters: Uint8Array;
  /** event time of this group's next sweep; see WindowGroups.sweep. */
  nextSweep = -Infinity;
  /** Where the sweep under way goes on (a layout position), or -1 when none is. */
  sweepAt = -1;

  constructor(windows: readonly WindowFeature[]) {
    this.keyName = windows[0].keyNames.join('×');
    this.signature = groupSignature(windows);
    this.shared = !windows[0].keyNames.includes('account');
    this.tag = hash53(this.signature).toString(36);
    // keys that include the account: f32 baselines and 16-bit counts (WindowLayout's storage notes)
    this.layout = new WindowLayout(
      windows.map((w) => ({ agg: w.agg, lengthMs: w.lengthMs, buckets: w.buckets })),
      { narrow: !this.shared },
    );
    this.pair = windows[0].keySlots.length === 2 ? new PairKeyedWindows(this.layout) : null;
    this.single = this.pair === null ? new KeyedWindows(this.layout) : null;
    this.windows = this.keySlots = [];
    this.empty = new Float64Array(0);
    this.enters = new Uint8Array(0);
    this.bind(windows);
  }

  /**
   * Points the group at another policy's windows of the same signature (their slots and filter
   * closures belong to that policy); the state stays.
   */
  bind(windows: readonly WindowFeature[]): void {
    this.windows = windows;
    this.keySlots = windows[0].keySlots;
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

  /**
   * Takes a reversed payment back out of its key's count, sum and mean windows (WindowLayout.remove),
   * `v` holding the payment's features as computed now and `t` its own time: the windows it enters by
   * those features are the ones it entered, exactly when the filters read the payment's own fields.
   */
  reverse(v: FeatureVector, t: number): void {
    const s = this.state(v, false);
    if (s === undefined) return;
    const windows = this.windows;
    const layout = this.layout;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (w.filter !== null && !w.filter(v)) continue;
      if (w.agg === 'count') layout.remove(s, i, t, 1);
      else if (w.agg === 'sum' || w.agg === 'mean') layout.remove(s, i, t, v.num[w.valueSlot]);
    }
  }

  /**
   * What the payment `apply` just folded in did to this group, for the partitions that did not
   * decide it: [tag, key parts…, entered mask ("1" per window entered), then the value each entered
   * window took, in order: a string for distinct, a number (null for NaN) for sum/mean/max/min,
   * nothing for count]. Null when the payment entered no window of a known key.
   */
  record(v: FeatureVector): SharedWindowRecord | null {
    if (this.anyPartUnknown(v)) return null;
    const windows = this.windows;
    const enters = this.enters;
    let mask = '';
    for (let i = 0; i < windows.length; i++) mask += enters[i] === 1 ? '1' : '0';
    if (!mask.includes('1')) return null;
    const out: (string | number | null)[] = [this.tag];
    for (const slot of this.keySlots) out.push(v.str[slot]);
    out.push(mask);
    for (let i = 0; i < windows.length; i++) {
      if (enters[i] === 0) continue;
      const w = windows[i];
      if (w.agg === 'distinct') out.push(v.str[w.valueSlot]);
      else if (w.agg !== 'count') {
        const x = v.num[w.valueSlot];
        out.push(Number.isNaN(x) ? null : x);
      }
    }
    return out;
  }

  /** Folds in a payment another partition decided, as its `record` describes it (see apply). */
  applyRecord(rec: SharedWindowRecord, t: number): void {
    const parts = this.keySlots.length;
    const mask = rec[1 + parts];
    if (rec.length < 2 + parts || typeof mask !== 'string' || mask.length !== this.windows.length) {
      throw new RangeError(`window group ${this.keyName}: a shared-effects record of another shape`);
    }
    const key: string[] = [];
    for (let i = 1; i <= parts; i++) key.push(String(rec[i]));
    const s = this.pair !== null ? this.pair.getOrCreate(key[0], key[1]) : this.single!.getOrCreate(key.join(KEY_SEPARATOR));
    const layout = this.layout;
    const windows = this.windows;
    let at = 2 + parts;
    for (let i = 0; i < windows.length; i++) {
      if (mask.charCodeAt(i) !== 49) continue; // '1'
      const w = windows[i];
      if (w.agg === 'count') {
        layout.add(s, i, t, 1);
        continue;
      }
      const x = rec[at++];
      if (w.agg === 'distinct') {
        if (typeof x === 'string' && x !== '') layout.addDistinct(s, i, t, x);
        else layout.touch(s, t);
      } else layout.add(s, i, t, typeof x === 'number' ? x : NaN);
    }
  }

  /** Goes on with the sweep under way for `budget` slots, dropping keys no window can see at `now`. */
  sweepSlice(now: number, budget: number): void {
    this.sweepAt = this.single !== null ? this.single.sweepFrom(this.sweepAt, budget, now) : this.pair!.sweepFrom(this.sweepAt, budget, now);
  }

  /** Writes the group's state: sweep time, layout, key map. */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('WGRP');
    w.f64(this.nextSweep);
    w.f64(this.sweepAt);
    w.bool(this.pair !== null);
    this.layout.writeSnapshot(w, this.pair !== null ? PAIR_OWNERS : STRING_OWNERS);
    if (this.pair !== null) this.pair.writeSnapshot(w);
    else this.single!.writeSnapshot(w);
  }

  /** Restores what writeSnapshot wrote (by a group of the same signature) into this fresh group. */
  readSnapshot(r: SnapshotReader): void {
    r.expect('WGRP');
    this.nextSweep = r.f64();
    this.sweepAt = r.f64();
    if (r.bool() !== (this.pair !== null)) throw new RangeError(`window group ${this.keyName}: snapshot has another key shape`);
    this.layout.readSnapshot(r, this.pair !== null ? PAIR_OWNERS : STRING_OWNERS);
    if (this.pair !== null) this.pair.readSnapshot(r);
    else this.single!.readSnapshot(r);
  }
}

function groupSignature(windows: readonly WindowFeature[]): string {
  return `${windows[0].keyNames.join('×')}\n${windows.map((w) => w.signature).join('\n')}`;
}

/** The signatures of the window groups `windows` form, in group order (what a snapshot must hold to serve them). */
export function windowGroupSignatures(windows: readonly WindowFeature[]): string[] {
  return byKey(windows).map(groupSignature);
}

/** The policy's windows grouped by key, in declaration order. */
function byKey(windows: readonly WindowFeature[]): WindowFeature[][] {
  const groups = new Map<string, WindowFeature[]>();
  for (const w of windows) {
    const k = w.keyNames.join('\u0000');
    const list = groups.get(k);
    if (list) list.push(w);
    else groups.set(k, [w]);
  }
  return [...groups.values()];
}

/** Every window group of a policy. */
export class WindowGroups {
  readonly groups: readonly WindowGroup[];
  /** Names of the windows that started empty because `previous` held no state of their signature. */
  readonly fresh: readonly string[];
  private readonly byTag: ReadonlyMap<string, WindowGroup>;
  /** True while a group's sweep is under way (see sweep). */
  sweeping: boolean;

  /**
   * Groups `windows` by key. With `previous` (the groups of the policy being replaced), every group
   * whose windows have the same signatures takes over that group's state, so a new policy version
   * that keeps its windows decides the next payment with full history; the others start empty.
   */
  constructor(windows: readonly WindowFeature[], previous?: WindowGroups) {
    const old = new Map(previous?.groups.map((g) => [g.signature, g]));
    const fresh: string[] = [];
    this.groups = byKey(windows).map((ws) => {
      const kept = old.get(groupSignature(ws));
      if (kept !== undefined) {
        old.delete(kept.signature);
        kept.bind(ws);
        return kept;
      }
      if (previous !== undefined) for (const w of ws) fresh.push(w.name);
      return new WindowGroup(ws);
    });
    this.fresh = fresh;
    this.byTag = new Map(this.groups.map((g) => [g.tag, g]));
    this.sweeping = this.groups.some((g) => g.sweepAt >= 0);
  }

  /**
   * What the payment `apply` just folded in did to the groups every partition keeps (keys without
   * the account), for `applyShared` on the partitions that did not decide it.
   */
  recordShared(v: FeatureVector): SharedWindowRecord[] {
    const out: SharedWindowRecord[] = [];
    for (const g of this.groups) {
      if (!g.shared) continue;
      const r = g.record(v);
      if (r !== null) out.push(r);
    }
    return out;
  }

  /**
   * Folds in the shared effects of a payment another partition decided. A record whose group this
   * policy does not have (the deciding partition ran another version) is skipped; a group it lacks
   * a record for was not entered.
   */
  applyShared(records: readonly SharedWindowRecord[], t: number): void {
    for (const r of records) {
      const g = this.byTag.get(String(r[0]));
      if (g !== undefined && g.shared) g.applyRecord(r, t);
    }
  }

  /** Takes a reversed payment (its features in `v`, its time `t`) back out of every group's count, sum and mean windows. */
  reverse(v: FeatureVector, t: number): void {
    for (const g of this.groups) g.reverse(v, t);
  }

  /** Names of the windows that a swap to `windows` would start empty (nothing is changed). */
  freshFor(windows: readonly WindowFeature[]): string[] {
    const have = new Set(this.groups.map((g) => g.signature));
    return byKey(windows).flatMap((ws) => (have.has(groupSignature(ws)) ? [] : ws.map((w) => w.name)));
  }

  /** Updates and reads every window for one payment. */
  apply(v: FeatureVector, t: number): void {
    const groups = this.groups;
    for (let i = 0; i < groups.length; i++) groups[i].apply(v, t);
  }

  /**
   * Drops keys no window can see any more. Each group is swept once per
   * its longest window (at most every MIN_SWEEP_MS): a key then lives at most twice that long, and every key
   * is visited about twice in its life, so sweeping costs O(1) per key instead of O(keys) per call.
   * A sweep goes SWEEP_SLICE slots per call: while `sweeping`, call this on every event.
   */
  sweep(now: number): void {
    let under = false;
    for (const g of this.groups) {
      if (g.sweepAt < 0) {
        if (now < g.nextSweep) continue;
        const first = g.nextSweep === -Infinity;
        g.nextSweep = now + Math.max(g.layout.maxLengthMs, MIN_SWEEP_MS);
        if (first) continue;
        g.sweepAt = 0;
      }
      g.sweepSlice(now, SWEEP_SLICE);
      under ||= g.sweepAt >= 0;
    }
    this.sweeping = under;
  }

  /** Every group's signature, in order. */
  get signatures(): string[] {
    return this.groups.map((g) => g.signature);
  }

  /** Writes every group (signature, then its state as a block a reader may skip). */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('WINS');
    w.f64(this.groups.length);
    for (const g of this.groups) {
      w.str(g.signature);
      const mark = w.begin();
      g.writeSnapshot(w);
      w.end(mark);
    }
  }

  /**
   * The groups of `windows`, each restored from the snapshot's group of the same signature; groups
   * of the snapshot no window here uses are skipped. Throws when a group here has none (check
   * windowGroupSignatures against the snapshot's header first).
   */
  static readSnapshot(r: SnapshotReader, windows: readonly WindowFeature[]): WindowGroups {
    r.expect('WINS');
    const out = new WindowGroups(windows);
    const bySignature = new Map(out.groups.map((g) => [g.signature, g]));
    for (let n = r.f64(); n > 0; n--) {
      const signature = r.str();
      const end = r.block();
      const g = bySignature.get(signature);
      if (g === undefined) {
        r.skipTo(end);
        continue;
      }
      bySignature.delete(signature);
      g.readSnapshot(r);
      r.at(end, `window group ${g.keyName}`);
    }
    if (bySignature.size > 0) {
      throw new RangeError(`snapshot holds no state for window group(s) ${[...bySignature.values()].map((g) => g.keyName).join(', ')}`);
    }
    out.sweeping = out.groups.some((g) => g.sweepAt >= 0);
    return out;
  }

  /** Live keys per group, for metrics and memory benchmarks. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) out[g.keyName] = g.size;
    return out;
  }
}
