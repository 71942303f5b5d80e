/**
 * Score distribution and its drift: a fixed histogram of 0–100 scores and the population stability
 * index (PSI) of one period against a reference period.
 *
 *   PSI = Σ over bins (a − e) · ln(a / e)
 *
 * with `a` the bin's share in the period observed and `e` its share in the reference period (the
 * expected distribution), each share raised to PSI_FLOOR when it is below it so that an empty bin
 * contributes a large but finite amount instead of infinity. Common reading: < 0.1 stable,
 * 0.1–0.25 a moderate shift worth a look, ≥ 0.25 a significant shift.
 */

/** Bins of the score histogram: [0,10), [10,20), …, [90,100]. */
export const SCORE_BINS = 10;

/** Share given to an empty bin (a share below it is raised to it). */
export const PSI_FLOOR = 1e-4;

/** The histogram bin of a 0–100 score (100 falls in the last bin; out-of-range scores are clamped). */
export function scoreBin(score: number): number {
  const b = Math.floor(score / (100 / SCORE_BINS));
  return b < 0 ? 0 : b >= SCORE_BINS ? SCORE_BINS - 1 : b;
}

/** The bins' bounds for display: [{from: 0, to: 10}, …]. */
export function scoreBinBounds(): { from: number; to: number }[] {
  const w = 100 / SCORE_BINS;
  return Array.from({ length: SCORE_BINS }, (_, i) => ({ from: i * w, to: (i + 1) * w }));
}

/** How large a PSI is, in the usual reading. */
export type PsiBand = 'stable' | 'moderate' | 'significant';

/** The band of a PSI value. */
export function psiBand(psi: number): PsiBand {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant';
}

/**
 * PSI of `actual` (counts per bin) against `expected` (the reference's counts per bin); null when
 * either has no observations or the bins differ in number.
 */
export function psi(actual: readonly number[], expected: readonly number[], floor = PSI_FLOOR): number | null {
  if (actual.length !== expected.length || actual.length === 0) return null;
  let na = 0;
  let ne = 0;
  for (let i = 0; i < actual.length; i++) {
    na += actual[i];
    ne += expected[i];
  }
  if (na <= 0 || ne <= 0) return null;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Math.max(actual[i] / na, floor);
    const e = Math.max(expected[i] / ne, floor);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
