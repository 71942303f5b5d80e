/**
 * Calibration: maps the trees' raw margin to a probability that means what it says. The margin of
 * a model trained with a positive weight is shifted and stretched (it estimates weighted odds), so
 * a threshold on it would move whenever the weight changes; fitted on the held-out validation slice,
 * calibration makes "0.2" mean one in five, whatever the training settings.
 */

/** Platt scaling: p = σ(a·margin + b). Preserves the ranking strictly (a > 0). */
export interface PlattCalibration {
  readonly kind: 'platt';
  readonly a: number;
  readonly b: number;
}

/**
 * Isotonic regression: a non-decreasing step function of the margin, linearly interpolated
 * between block centres `x` (ascending) with values `y` (non-decreasing), clamped at both ends.
 */
export interface IsotonicCalibration {
  readonly kind: 'isotonic';
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Any calibration a model file can hold. */
export type Calibration = PlattCalibration | IsotonicCalibration;

/** Which calibration to fit. */
export type CalibrationKind = Calibration['kind'];

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The calibrated probability of a margin. No allocation: it runs for every scored payment. */
export function applyCalibration(c: Calibration, margin: number): number {
  if (c.kind === 'platt') return sigmoid(c.a * margin + c.b);
  const x = c.x;
  const y = c.y;
  const n = x.length;
  if (margin !== margin) return y[0];
  if (margin <= x[0]) return y[0];
  if (margin >= x[n - 1]) return y[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= margin) lo = mid;
    else hi = mid;
  }
  const span = x[hi] - x[lo];
  return span > 0 ? y[lo] + ((y[hi] - y[lo]) * (margin - x[lo])) / span : y[hi];
}

/**
 * Platt's method with his smoothed targets (which keep the fit finite on separable data), solved by
 * Newton steps with a line search. When the fit comes out non-increasing (a ≤ 0: a useless model on
 * this slice) the slope is pinned to a small positive value so the map stays monotone.
 */
export function fitPlatt(margins: ArrayLike<number>, labels: ArrayLike<number>, prior = 0): PlattCalibration {
  const n = margins.length;
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return { kind: 'platt', a: 1, b: -prior };
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (neg + 2);
  let a = 1;
  let b = -prior;
  const loss = (aa: number, bb: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const z = aa * margins[i] + bb;
      const t = labels[i] > 0 ? hiT : loT;
      // log(1 + e^z) − t·z, stable for large |z|
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return s;
  };
  let current = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const m = margins[i];
      const p = sigmoid(a * m + b);
      const d = p - (labels[i] > 0 ? hiT : loT);
      const w = p * (1 - p);
      ga += d * m;
      gb += d;
      haa += w * m * m;
      hab += w * m;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let improved = false;
    while (step > 1e-10) {
      const na = a - step * da;
      const nb = b - step * db;
      const l = loss(na, nb);
      if (l < current) {
        a = na;
        b = nb;
        improved = current - l > 1e-12 * Math.max(1, Math.abs(current));
        current = l;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  if (!(a > 0)) a = 1e-6;
  return { kind: 'platt', a, b };
}

/**
 * Isotonic regression by pool-adjacent-violators on the margins sorted ascending. Blocks of equal
 * margins are pooled first so that the result does not depend on the order of ties.
 */
export function fitIsotonic(margins: ArrayLike<number>, labels: ArrayLike<number>): IsotonicCalibration {
  const n = margins.length;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => margins[i] === margins[i]);
  order.sort((i, j) => margins[i] - margins[j]);
  // blocks: sum of x, sum of y, weight
  const sx: number[] = [];
  const sy: number[] = [];
  const w: number[] = [];
  const lastX: number[] = [];
  for (const i of order) {
    const m = margins[i];
    const y = labels[i] > 0 ? 1 : 0;
    const k = w.length - 1;
    if (k >= 0 && lastX[k] === m) {
      sx[k] += m;
      sy[k] += y;
      w[k] += 1;
    } else {
      sx.push(m);
      sy.push(y);
      w.push(1);
      lastX.push(m);
    }
    // merge while the previous block's mean exceeds the last one's
    while (w.length >= 2) {
      const a = w.length - 2;
      const b = w.length - 1;
      if (sy[a] / w[a] <= sy[b] / w[b]) break;
      sx[a] += sx[b];
      sy[a] += sy[b];
      w[a] += w[b];
      lastX[a] = lastX[b];
      sx.pop();
      sy.pop();
      w.pop();
      lastX.pop();
    }
  }
  if (w.length === 0) return { kind: 'isotonic', x: [0], y: [0.5] };
  return { kind: 'isotonic', x: sx.map((s, i) => s / w[i]), y: sy.map((s, i) => s / w[i]) };
}
