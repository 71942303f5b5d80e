/**
 * The policy's declared windows, grouped by key (all windows keyed by account share one state per
 * account, all keyed by account×merchant another, …). For each payment every group finds or
 * creates its key's state, folds the payment in (where its filter holds) and reads every window
 * into the feature vector — so windows include the payment being decided.
 */
import { KeyedWindows } from '../features/keyed-windows.js';
import { WindowLayout } from '../features/window-layout.js';
import type { FeatureVector } from '../features/vector.js';
import type { WindowFeature } from '../rules/policy-types.js';

const KEY_SEPARATOR = '\u0001';

/** All windows sharing one key, with their shared per-key state. */
class WindowGroup {
  readonly keyName: string;
  readonly keySlots: readonly number[];
  readonly windows: readonly WindowFeature[];
  readonly layout: WindowLayout;
  readonly state: KeyedWindows;

  constructor(windows: WindowFeature[]) {
    this.windows = windows;
    this.keySlots = windows[0].keySlots;
    this.keyName = windows[0].keyNames.join('×');
    this.layout = new WindowLayout(windows.map((w) => ({ agg: w.agg, lengthMs: w.lengthMs, buckets: w.buckets })));
    this.state = new KeyedWindows(this.layout);
  }

  /** The key of this payment in this group, or '' when a key part is unknown (no device, …). */
  key(v: FeatureVector): string {
    const slots = this.keySlots;
    const str = v.str;
    let k = str[slots[0]];
    if (k === '') return '';
    for (let i = 1; i < slots.length; i++) {
      const part = str[slots[i]];
      if (part === '') return '';
      k = k + KEY_SEPARATOR + part;
    }
    return k;
  }

  /** Folds the payment into its key's windows and writes every window's value into `v`. */
  apply(v: FeatureVector, t: number): void {
    const key = this.key(v);
    const windows = this.windows;
    if (key === '') {
      for (let i = 0; i < windows.length; i++) v.num[windows[i].slot] = NaN;
      return;
    }
    const layout = this.layout;
    const s = this.state.getOrCreate(key);
    layout.touch(s, t);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (w.filter !== null && !w.filter(v)) continue;
      if (w.agg === 'distinct') {
        const value = v.str[w.valueSlot];
        if (value !== '') layout.addDistinct(s, i, t, value);
      } else if (w.agg === 'count') {
        layout.add(s, i, t, 1);
      } else {
        const value = v.num[w.valueSlot];
        if (!Number.isNaN(value)) layout.add(s, i, t, value);
      }
    }
    for (let i = 0; i < windows.length; i++) v.num[windows[i].slot] = layout.read(s, i, t);
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

  /** Drops keys no window can see any more; returns how many went. */
  sweep(now: number): number {
    let n = 0;
    for (const g of this.groups) n += g.state.sweep(now);
    return n;
  }

  /** Live keys per group, for metrics and memory benchmarks. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) out[g.keyName] = g.state.size;
    return out;
  }
}
