/**
 * Reads over one window's ring of buckets (window-layout.ts): a read covers at most two runs of the
 * ring, [s0, e0) and [0, e1), so each is two plain loops — pure, no allocation, on every decision.
 */

/** Where count rings live: 32-bit, or 16-bit saturating for keys one person drives (see WindowLayout). */
export type CountRing = Uint16Array | Uint32Array;

/** b mod B in [0, B) without fmod (a slow runtime call on doubles); exact for |b| < 2^53 / B. */
export function mod(b: number, B: number): number {
  return b - Math.floor(b / B) * B;
}

/** Sum of a count ring's runs [s0, e0) and [0, e1) from `base`. */
export function sumU(u: CountRing, base: number, s0: number, e0: number, e1: number): number {
  let t = 0;
  for (let j = base + s0; j < base + e0; j++) t += u[j];
  for (let j = base; j < base + e1; j++) t += u[j];
  return t;
}

/** Sum of a value ring's runs [s0, e0) and [0, e1) from `base`; f32 rings of narrow layouts too. */
export function sumF(f: Float64Array | Float32Array, base: number, s0: number, e0: number, e1: number): number {
  let t = 0;
  for (let j = base + s0; j < base + e0; j++) t += f[j];
  for (let j = base; j < base + e1; j++) t += f[j];
  return t;
}

/** Largest (max) or smallest value of a ring's runs [s0, e0) and [0, e1); NaN when only empty markers. */
export function extreme(f: Float64Array | Float32Array, vo: number, s0: number, e0: number, e1: number, max: boolean): number {
  let x = max ? -Infinity : Infinity;
  if (max) {
    for (let j = vo + s0; j < vo + e0; j++) if (f[j] > x) x = f[j];
    for (let j = vo; j < vo + e1; j++) if (f[j] > x) x = f[j];
  } else {
    for (let j = vo + s0; j < vo + e0; j++) if (f[j] < x) x = f[j];
    for (let j = vo; j < vo + e1; j++) if (f[j] < x) x = f[j];
  }
  return x === Infinity || x === -Infinity ? NaN : x; // only the empty marker can be infinite here
}
