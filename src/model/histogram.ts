/**
 * Gradient histograms and the split search over them: the inner loop of training. One pass over a
 * node's rows fills, per feature and bin, the sums of gradient, hessian and count; every split of
 * every feature is then scored from prefix sums of that histogram, never by revisiting rows.
 */
import { NAN_BIN } from './binning.js';

/** Slots per feature in a histogram: 255 value bins plus the NaN bin. */
export const BINS_PER_FEATURE = 256;
/** Numbers per bin: gradient sum, hessian sum, row count. */
const STRIDE = 3;

/** A histogram buffer able to hold `width` features. */
export function newHistogram(width: number): Float64Array {
  return new Float64Array(width * BINS_PER_FEATURE * STRIDE);
}

/**
 * Fills `hist` from the rows `rows[start..end)` of the row-major binned matrix, for the features
 * the split search will try (`features`, ascending; the others stay zero). Rows are visited in
 * order and a row's bytes are read together, which is what keeps this pass cache-friendly.
 */
export function buildHistogram(
  bins: Uint8Array,
  width: number,
  rows: Int32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  hist: Float64Array,
  features: Int32Array,
): void {
  hist.fill(0);
  const nf = features.length;
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const g = grad[r];
    const h = hess[r];
    const base = r * width;
    for (let k = 0; k < nf; k++) {
      const f = features[k];
      const idx = ((f << 8) + bins[base + f]) * STRIDE;
      hist[idx] += g;
      hist[idx + 1] += h;
      hist[idx + 2] += 1;
    }
  }
}

/** Turns a parent's histogram into its larger child's, given the smaller child's (the subtraction trick). */
export function subtractHistogram(parent: Float64Array, small: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i] -= small[i];
}

/** Limits a split must respect. */
export interface SplitLimits {
  /** L2 regularisation of leaf values. */
  readonly lambda: number;
  /** fewest rows on each side. */
  readonly minLeafRows: number;
  /** smallest hessian sum on each side. */
  readonly minLeafHessian: number;
  /** smallest gain worth a split. */
  readonly minGain: number;
}

/** The best split found for a node; mutable so the search allocates nothing. */
export interface Split {
  gain: number;
  feature: number;
  /** left = value bins 0 … bin (plus NaN when nanLeft). */
  bin: number;
  nanLeft: boolean;
  gLeft: number;
  hLeft: number;
  cLeft: number;
}

/** An empty split record to be filled by findBestSplit. */
export function newSplit(): Split {
  return { gain: 0, feature: -1, bin: 0, nanLeft: false, gLeft: 0, hLeft: 0, cLeft: 0 };
}

/** Gain of sending (gl, hl, cl) left and the rest right; -Infinity when either side breaks the limits. */
function gainOf(
  gl: number, hl: number, cl: number, g: number, h: number, c: number,
  lambda: number, minRows: number, minHess: number, parentScore: number,
): number {
  const cr = c - cl;
  const hr = h - hl;
  if (cl < minRows || cr < minRows || hl < minHess || hr < minHess) return -Infinity;
  const gr = g - gl;
  return (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
}

/** Writes the best split found so far. */
function record(out: Split, gain: number, feature: number, bin: number, nanLeft: boolean, gl: number, hl: number, cl: number): void {
  out.gain = gain;
  out.feature = feature;
  out.bin = bin;
  out.nanLeft = nanLeft;
  out.gLeft = gl;
  out.hLeft = hl;
  out.cLeft = cl;
}

/**
 * Searches every candidate feature and bin for the split with the highest gain, trying NaN on
 * either side (the learnt default direction); when a node holds no NaN, NaN follows the side with
 * more rows so unseen unknowns land in the better-estimated leaf. Returns false when no split
 * clears the limits. Ties keep the first found, so a seed always gives the same tree.
 */
export function findBestSplit(
  hist: Float64Array,
  valueBins: Int32Array,
  features: Int32Array,
  g: number,
  h: number,
  c: number,
  lim: SplitLimits,
  out: Split,
): boolean {
  const lambda = lim.lambda;
  const minRows = Math.max(1, lim.minLeafRows);
  const minHess = lim.minLeafHessian;
  const parentScore = (g * g) / (h + lambda);
  let best = lim.minGain;
  let found = false;
  for (let j = 0; j < features.length; j++) {
    const f = features[j];
    const nb = valueBins[f];
    const base = f << 8;
    const nanIdx = (base + NAN_BIN) * STRIDE;
    const gN = hist[nanIdx];
    const hN = hist[nanIdx + 1];
    const cN = hist[nanIdx + 2];
    let gL = 0;
    let hL = 0;
    let cL = 0;
    for (let b = 0; b < nb; b++) {
      const idx = (base + b) * STRIDE;
      gL += hist[idx];
      hL += hist[idx + 1];
      cL += hist[idx + 2];
      // NaN right (or, when the node has none, NaN follows the bigger side)
      const right = gainOf(gL, hL, cL, g, h, c, lambda, minRows, minHess, parentScore);
      if (right > best) {
        best = right;
        found = true;
        record(out, right, f, b, cN === 0 ? cL >= c - cL : false, gL, hL, cL);
      }
      if (cN === 0) continue;
      // NaN left
      const left = gainOf(gL + gN, hL + hN, cL + cN, g, h, c, lambda, minRows, minHess, parentScore);
      if (left > best) {
        best = left;
        found = true;
        record(out, left, f, b, true, gL + gN, hL + hN, cL + cN);
      }
    }
  }
  return found;
}
