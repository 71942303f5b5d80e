/**
 * Quantile binning of raw feature values. Split finding works on at most 255 bins per feature
 * instead of on raw values, which makes one histogram pass per tree level cost O(rows × features)
 * regardless of how many distinct values a feature has. A split "bin ≤ b" is the same test as
 * "value ≤ edges[b]" on raw values, so the trained trees can be scored on raw vectors exactly.
 */

/** Bin reserved for NaN (unknown) values; value bins are 0 … 254. */
export const NAN_BIN = 255;
/** Most value bins a feature can have (NaN comes on top, in NAN_BIN). */
export const MAX_VALUE_BINS = 255;

/**
 * Upper edges of each feature's value bins: value v is in bin i when v ≤ edges[i] and v > edges[i−1];
 * values above the last edge fall in bin edges.length. A feature with one distinct value has no edges.
 */
export type BinEdges = readonly Float64Array[];

/** A cut strictly between two sorted distinct values a < b, finite so it survives JSON. */
function cut(a: number, b: number): number {
  if (a === -Infinity) return -Number.MAX_VALUE;
  if (b === Infinity) return a;
  const mid = a + (b - a) / 2;
  return mid >= b || mid < a ? a : mid;
}

/**
 * Edges for one feature from its (non-NaN) values: every distinct value gets its own bin when there
 * are few enough; otherwise bins hold about equal counts, and a heavily repeated value (a zero count,
 * a flag) is never split across bins, since cuts only fall between distinct values.
 */
export function edgesFor(values: Float64Array, maxBins = MAX_VALUE_BINS): Float64Array {
  const n = values.length;
  if (n === 0) return new Float64Array(0);
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i];
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const d = distinct.length;
  if (d <= maxBins) {
    const edges = new Float64Array(d - 1);
    for (let i = 0; i + 1 < d; i++) edges[i] = cut(distinct[i], distinct[i + 1]);
    return edges;
  }
  const edges: number[] = [];
  let remaining = n;
  let acc = 0;
  for (let i = 0; i + 1 < d && edges.length < maxBins - 1; i++) {
    acc += counts[i];
    // aim for equal shares of what is left, so one huge tie early on does not starve later bins
    const target = remaining / (maxBins - edges.length);
    if (acc >= target) {
      edges.push(cut(distinct[i], distinct[i + 1]));
      remaining -= acc;
      acc = 0;
    }
  }
  return Float64Array.from(edges);
}

/** The bin of a raw value under `edges` (binary search); NaN goes to NAN_BIN. */
export function binOf(v: number, edges: Float64Array): number {
  if (v !== v) return NAN_BIN;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Edges for every feature of a row-major matrix, from the rows in `sample` (all rows when null).
 * Sampling keeps binning cheap on large sets; quantiles from 200k rows are as good as from all.
 */
export function computeEdges(
  x: Float64Array,
  width: number,
  sample: Int32Array,
  maxBins = MAX_VALUE_BINS,
): Float64Array[] {
  const out: Float64Array[] = [];
  const buf = new Float64Array(sample.length);
  for (let f = 0; f < width; f++) {
    let m = 0;
    for (let i = 0; i < sample.length; i++) {
      const v = x[sample[i] * width + f];
      if (v === v) buf[m++] = v;
    }
    out.push(edgesFor(buf.subarray(0, m), maxBins));
  }
  return out;
}

/** The binned matrix of the given rows, row-major, one byte per value. */
export function binRows(x: Float64Array, width: number, rows: Int32Array, edges: BinEdges): Uint8Array {
  const out = new Uint8Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] * width;
    const dst = i * width;
    for (let f = 0; f < width; f++) out[dst + f] = binOf(x[src + f], edges[f]);
  }
  return out;
}
