/**
 * Recall against the share of legitimate payments flagged: the one curve a risk team sets its
 * operating point on ("we can look at 0.5 % of good customers; how much fraud do we catch?"). For
 * each share, the score threshold that flags at most that share of the legitimate payments — ties at
 * the threshold all flagged or none, never split — and the recall it gives. Pure; used by `eval`
 * (table, JSON, HTML chart) and `train --review-budget` (the thresholds it proposes).
 */

/** Shares of legitimate payments flagged that `eval` reports by default. */
export const DEFAULT_SHARES: readonly number[] = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05];

/** One point of the curve. */
export interface CurvePoint {
  /** the share of legitimate payments the team can flag. */
  readonly share: number;
  /** flag scores ≥ this (Infinity: nothing can be flagged within the share). */
  readonly threshold: number;
  /** the share actually flagged at that threshold (≤ share). */
  readonly legitimateFlagged: number;
  readonly recall: number;
  /** payments flagged, fraud and legitimate. */
  readonly flagged: number;
}

/**
 * The lowest score threshold, to 4 decimals (as decisions carry scores), that flags at most `share`
 * of the legitimate scores sorted descending in `legitDesc`: every legitimate payment at or above it
 * fits in the share, ties included. -Infinity when the share holds them all.
 */
export function thresholdForShare(legitDesc: ArrayLike<number>, share: number): number {
  const n = legitDesc.length;
  const allowed = Math.floor(share * n + 1e-9);
  if (allowed >= n) return -Infinity;
  // the (allowed+1)-th highest legitimate score must stay below the threshold
  return (Math.floor(legitDesc[allowed] * 10_000 + 1e-6) + 1) / 10_000;
}

/** The curve of `score` against `label` (1 fraud, 0 legitimate) at each of `shares`. */
export function operatingCurve(score: ArrayLike<number>, label: ArrayLike<number>, shares: readonly number[] = DEFAULT_SHARES): CurvePoint[] {
  const legit: number[] = [];
  const fraud: number[] = [];
  for (let i = 0; i < score.length; i++) (label[i] === 1 ? fraud : legit).push(score[i]);
  legit.sort((a, b) => b - a);
  fraud.sort((a, b) => b - a);
  return shares.map((share) => {
    const threshold = thresholdForShare(legit, share);
    const l = countAtLeast(legit, threshold);
    const f = countAtLeast(fraud, threshold);
    return { share, threshold, legitimateFlagged: legit.length === 0 ? 0 : l / legit.length, recall: fraud.length === 0 ? NaN : f / fraud.length, flagged: l + f };
  });
}

/** How many of `desc` (sorted descending) are ≥ `t`. */
function countAtLeast(desc: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid] >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
