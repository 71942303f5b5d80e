// Synthetic data with a known answer for the trainer's tests: fraud = x0 > 0.7 and (x3 unknown or
// x3 < 2), plus noise features, a little label noise, unknown values and infinities.

/** A small LCG so the data is the same on every machine. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export interface Synthetic {
  x: Float64Array;
  y: Uint8Array;
  time: Float64Array;
  width: number;
  rows: number;
  featureNames: string[];
}

/** `rows` rows of 8 features; `flip` is the share of labels flipped at random. */
export function planted(rows: number, seed: number, flip = 0.002): Synthetic {
  const r = lcg(seed);
  const width = 8;
  const x = new Float64Array(rows * width);
  const y = new Uint8Array(rows);
  const time = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * width;
    for (let f = 0; f < width; f++) x[o + f] = r() * 5;
    x[o] = r();
    if (r() < 0.3) x[o + 3] = NaN;
    if (r() < 0.05) x[o + 5] = NaN;
    if (r() < 0.01) x[o + 6] = Infinity;
    const x3 = x[o + 3];
    let label = x[o] > 0.7 && (Number.isNaN(x3) || x3 < 2) ? 1 : 0;
    if (r() < flip) label = 1 - label;
    y[i] = label;
    time[i] = 1_700_000_000_000 + i * 1000;
  }
  return { x, y, time, width, rows, featureNames: Array.from({ length: width }, (_, i) => `x${i}`) };
}

/** Row i of a synthetic set, as its own array. */
export function row(d: Synthetic, i: number): Float64Array {
  return d.x.slice(i * d.width, (i + 1) * d.width);
}
