/**
 * Grows one regression tree on gradients, level by level, from histograms. Rows are kept in one
 * index array that each split partitions in place (stably, so rows stay in memory order and the
 * histogram pass stays sequential); only the smaller child's histogram is built, the larger one is
 * the parent's minus it.
 */
import { NAN_BIN } from './binning.js';
import {
  buildHistogram,
  findBestSplit,
  newHistogram,
  newSplit,
  subtractHistogram,
  type Split,
  type SplitLimits,
} from './histogram.js';

/** Tree shape limits and the step size applied to node values. */
export interface GrowLimits extends SplitLimits {
  readonly maxDepth: number;
  readonly learningRate: number;
}

/** A grown tree with local node numbers (root 0). Internal nodes keep their value for explanations. */
export interface GrownTree {
  /** feature index, −1 for a leaf. */
  readonly feature: number[];
  /** split bin (left = bins ≤ bin); meaningless for leaves. */
  readonly bin: number[];
  readonly nanLeft: boolean[];
  readonly left: number[];
  readonly right: number[];
  /** shrunk Newton value −G/(H+λ)·η of every node, leaves and internal alike. */
  readonly value: number[];
  /** training rows (sampled) that reached each node, for attribution weights and reports. */
  readonly cover: number[];
  /** loss reduction of each split (0 at leaves), for feature importance. */
  readonly gain: number[];
}

interface Pending {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
  hist: Float64Array | null;
}

/** Reusable buffers for growing many trees over the same binned matrix. */
export class TreeGrower {
  private readonly pool: Float64Array[] = [];
  private readonly split: Split = newSplit();
  private readonly tmp: Int32Array;

  constructor(
    private readonly bins: Uint8Array,
    private readonly width: number,
    /** value bins per feature. */
    private readonly valueBins: Int32Array,
    rows: number,
  ) {
    this.tmp = new Int32Array(rows);
  }

  private take(): Float64Array {
    return this.pool.pop() ?? newHistogram(this.width);
  }

  private give(h: Float64Array | null): void {
    if (h !== null) this.pool.push(h);
  }

  /**
   * Grows a tree on `rows[0..count)` (the index array is reordered) with per-row gradients, trying
   * only `features` for splits.
   */
  grow(
    rows: Int32Array,
    count: number,
    grad: Float64Array,
    hess: Float64Array,
    features: Int32Array,
    lim: GrowLimits,
  ): GrownTree {
    const t: GrownTree = { feature: [], bin: [], nanLeft: [], left: [], right: [], value: [], cover: [], gain: [] };
    const lambda = lim.lambda;
    const eta = lim.learningRate;
    let g = 0;
    let h = 0;
    for (let i = 0; i < count; i++) {
      g += grad[rows[i]];
      h += hess[rows[i]];
    }
    const addNode = (gs: number, hs: number, cover: number): number => {
      t.feature.push(-1);
      t.bin.push(0);
      t.nanLeft.push(false);
      t.left.push(-1);
      t.right.push(-1);
      t.value.push((-gs / (hs + lambda)) * eta);
      t.cover.push(cover);
      t.gain.push(0);
      return t.feature.length - 1;
    };
    const root = addNode(g, h, count);
    let level: Pending[] = [{ node: root, start: 0, end: count, g, h, hist: null }];
    if (lim.maxDepth > 0 && count >= 2 * lim.minLeafRows) {
      const hist = this.take();
      buildHistogram(this.bins, this.width, rows, 0, count, grad, hess, hist, features);
      level[0].hist = hist;
    }
    for (let depth = 0; depth < lim.maxDepth && level.length > 0; depth++) {
      const next: Pending[] = [];
      const childrenSplit = depth + 1 < lim.maxDepth;
      for (const p of level) {
        const c = p.end - p.start;
        const s = this.split;
        if (p.hist === null || !findBestSplit(p.hist, this.valueBins, features, p.g, p.h, c, lim, s)) {
          this.give(p.hist);
          continue;
        }
        const mid = this.partition(rows, p.start, p.end, s.feature, s.bin, s.nanLeft);
        const l = addNode(s.gLeft, s.hLeft, mid - p.start);
        const r = addNode(p.g - s.gLeft, p.h - s.hLeft, p.end - mid);
        t.feature[p.node] = s.feature;
        t.bin[p.node] = s.bin;
        t.nanLeft[p.node] = s.nanLeft;
        t.left[p.node] = l;
        t.right[p.node] = r;
        t.gain[p.node] = s.gain;
        const left: Pending = { node: l, start: p.start, end: mid, g: s.gLeft, h: s.hLeft, hist: null };
        const right: Pending = { node: r, start: mid, end: p.end, g: p.g - s.gLeft, h: p.h - s.hLeft, hist: null };
        if (childrenSplit) {
          const smallIsLeft = mid - p.start <= p.end - mid;
          const small = smallIsLeft ? left : right;
          const large = smallIsLeft ? right : left;
          const sh = this.take();
          buildHistogram(this.bins, this.width, rows, small.start, small.end, grad, hess, sh, features);
          subtractHistogram(p.hist, sh);
          small.hist = sh;
          large.hist = p.hist;
          next.push(left, right);
        } else this.give(p.hist);
      }
      level = next;
    }
    for (const p of level) this.give(p.hist);
    return t;
  }

  /** Stable partition of rows[start..end) into left-goers then right-goers; returns the boundary. */
  private partition(rows: Int32Array, start: number, end: number, f: number, bin: number, nanLeft: boolean): number {
    const bins = this.bins;
    const width = this.width;
    const tmp = this.tmp;
    let w = start;
    let k = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      const b = bins[r * width + f];
      const goLeft = b === NAN_BIN ? nanLeft : b <= bin;
      if (goLeft) rows[w++] = r;
      else tmp[k++] = r;
    }
    for (let i = 0; i < k; i++) rows[w + i] = tmp[i];
    return w;
  }
}

/** The leaf value a binned row reaches in a grown tree (training-time traversal, no raw values needed). */
export function leafValueBinned(t: GrownTree, bins: Uint8Array, base: number): number {
  let n = 0;
  let f = t.feature[0];
  while (f >= 0) {
    const b = bins[base + f];
    n = (b === NAN_BIN ? t.nanLeft[n] : b <= t.bin[n]) ? t.left[n] : t.right[n];
    f = t.feature[n];
  }
  return t.value[n];
}
