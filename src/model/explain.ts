/**
 * Turns a model's per-feature contributions into the few reasons a decision can show: analysts
 * read "amount_vs_mean +1.8" faster than a probability, and a stable feature name doubles as a
 * reason code.
 */
import type { GbdtModel } from './gbdt-model.js';

/** One feature's share of a prediction, in margin (log-odds) units. */
export interface Contribution {
  readonly feature: string;
  readonly value: number;
}

/**
 * The `k` features that pushed the margin up the most (positive contributions only, largest
 * first). `scratch` (length ≥ features) avoids an allocation per call; it is overwritten.
 */
export function topContributions(model: GbdtModel, x: ArrayLike<number>, k: number, scratch?: Float64Array): Contribution[] {
  const p = model.featureNames.length;
  const out = scratch !== undefined && scratch.length >= p ? scratch : new Float64Array(p);
  model.contributions(x, out);
  const best: Contribution[] = [];
  for (let f = 0; f < p; f++) {
    const v = out[f];
    if (!(v > 0)) continue;
    if (best.length < k || v > best[best.length - 1].value) {
      best.push({ feature: model.featureNames[f], value: v });
      best.sort((a, b) => b.value - a.value);
      if (best.length > k) best.pop();
    }
  }
  return best;
}
