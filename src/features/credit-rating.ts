/**
 * The credit rating: a transparent points model (a scorecard) over what the engine knows about an
 * account — tenure, repayment behaviour, how late it is, utilisation, confirmed fraud, device churn
 * and complaints. The score is a base plus each driver's points, clamped to 0–1000; the grade
 * (A–E) is a band of the score. Recomputed when an event touches the account (registration,
 * account event, payment — at its time before the decision and after it — label) and by the nightly
 * re-rating of idle accounts, never per read, so a rule reading it costs one array load.
 * Every band is a table below; docs/accounts.md prints the same tables.
 */
import { countSince, type AccountState, type AccountView } from './account-state.js';

const DAY = 86_400_000;

/** Points every account starts from. */
export const RATING_BASE = 500;
/** The score's range. */
export const RATING_MIN = 0;
export const RATING_MAX = 1000;

/** The drivers, in the order they are reported. */
export const DRIVERS = ['tenure', 'repayment', 'overdue', 'utilisation', 'confirmed_fraud', 'device_changes', 'complaints'] as const;
export type DriverName = (typeof DRIVERS)[number];

/** `[upper bound (exclusive), points]`: the first band whose bound is above the value applies. */
type Bands = readonly (readonly [number, number])[];

/** Days since the account was opened. */
export const TENURE_BANDS: Bands = [[30, -60], [180, 0], [365, 40], [730, 80], [Infinity, 120]];
/** Share of the credit ever used that was repaid (repaid ÷ spent, at most 1); the bound is inclusive from below. */
export const REPAYMENT_BANDS: Bands = [[0.3, 0], [0.6, 40], [0.9, 100], [Infinity, 160]];
/** Whole days the account has owed money without repaying anything (since its last repayment, or since it began to owe): 0–30, 31–60, 61–90, more. */
export const OVERDUE_BANDS: Bands = [[31, 0], [61, -80], [91, -160], [Infinity, -320]];
/** Outstanding ÷ registered limit. */
export const UTILISATION_BANDS: Bands = [[0.3, 120], [0.5, 60], [0.8, 0], [1, -60], [Infinity, -120]];
/** New devices on the account within 30 days. */
export const DEVICE_BANDS: Bands = [[1, 50], [2, 20], [3, -30], [Infinity, -100]];
/** Complaints about the account within 30 days. */
export const COMPLAINT_BANDS: Bands = [[1, 50], [2, -20], [Infinity, -100]];
/** The account, or one of its payments, is labelled as fraud (a label known by the time of the rating). */
export const FRAUD_POINTS = -400;

/** Grades by their lowest score, best first; below the last one is E. */
export const GRADE_BANDS: readonly (readonly [string, number])[] = [['A', 800], ['B', 650], ['C', 500], ['D', 350]];

function band(bands: Bands, value: number): number {
  for (let i = 0; i < bands.length; i++) if (value < bands[i][0]) return bands[i][1];
  return bands[bands.length - 1][1];
}

/** The grade of a score; '' for an account never rated (NaN). No allocation: the strings are constants. */
export function gradeOf(score: number): string {
  if (Number.isNaN(score)) return '';
  for (let i = 0; i < GRADE_BANDS.length; i++) if (score >= GRADE_BANDS[i][1]) return GRADE_BANDS[i][0];
  return 'E';
}

/** Scratch: each driver's value (NaN = unknown) and points, filled by `drivers`. */
const values = new Float64Array(DRIVERS.length);
const points = new Float64Array(DRIVERS.length);

/** Fills `values` and `points` for `acc` at event time `t`; returns the clamped score. */
function drivers(acc: AccountView, t: number, fraud: boolean): number {
  const tenure = (t - acc.openedAt) / DAY;
  values[0] = tenure;
  points[0] = Number.isNaN(tenure) ? 0 : band(TENURE_BANDS, tenure);

  const spent = acc.spentTotal;
  const ratio = spent > 0 ? Math.min(1, acc.repaidTotal / spent) : NaN;
  values[1] = ratio;
  points[1] = Number.isNaN(ratio) ? 0 : band(REPAYMENT_BANDS, ratio);

  let overdue = 0;
  if (acc.outstanding > 0) {
    const since = Number.isNaN(acc.lastRepaymentT) ? acc.owingSince : Math.max(acc.owingSince || -Infinity, acc.lastRepaymentT);
    overdue = Number.isFinite(since) ? Math.max(0, Math.floor((t - since) / DAY)) : 0;
  }
  values[2] = overdue;
  points[2] = band(OVERDUE_BANDS, overdue);

  const limit = acc.creditLimit;
  const util = limit > 0 ? acc.outstanding / limit : NaN;
  values[3] = util;
  points[3] = Number.isNaN(util) ? 0 : band(UTILISATION_BANDS, util);

  values[4] = fraud ? 1 : 0;
  points[4] = fraud ? FRAUD_POINTS : 0;

  const devices = countSince(acc.deviceChanges, t, 30 * DAY);
  values[5] = devices;
  points[5] = band(DEVICE_BANDS, devices);

  const complaints = countSince(acc.complaints, t, 30 * DAY);
  values[6] = complaints;
  points[6] = band(COMPLAINT_BANDS, complaints);

  let score = RATING_BASE;
  for (let i = 0; i < DRIVERS.length; i++) score += points[i];
  return Math.min(RATING_MAX, Math.max(RATING_MIN, score));
}

/**
 * Recomputes the rating of `acc` as of event time `t` (`fraud`: the account or one of its payments
 * is labelled fraud by then) and stores it on the account. Called by the engine after every event
 * that touches the account; no allocation.
 */
export function rateAccount(acc: AccountState, t: number, fraud: boolean): void {
  acc.ratingScore = drivers(acc, t, fraud);
  acc.ratedAt = t;
}

/** One driver of a rating as shown to analysts: what was measured and what it gave. */
export interface RatingDriver {
  readonly driver: DriverName;
  /** The measured value (days, a share, a count, true/false); null when unknown (no points). */
  readonly value: number | boolean | null;
  readonly points: number;
  /** One line saying what the value means. */
  readonly note: string;
}

/** A rating with its drivers: score = clamp(base + Σ points). */
export interface RatingExplained {
  readonly score: number;
  readonly grade: string;
  /** Event time (epoch ms) the rating was computed at. */
  readonly ratedAt: number;
  readonly base: number;
  readonly drivers: readonly RatingDriver[];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function note(d: DriverName, v: number): string {
  if (Number.isNaN(v)) {
    if (d === 'tenure') return 'opening date unknown';
    if (d === 'repayment') return 'no credit used yet';
    return 'no registered limit';
  }
  switch (d) {
    case 'tenure':
      return `account open ${Math.floor(v)} days`;
    case 'repayment':
      return `${Math.round(v * 100)}% of the credit used has been repaid`;
    case 'overdue':
      return v === 0 ? 'nothing owed, or repaid within 30 days' : `owes money with no repayment for ${Math.floor(v)} days`;
    case 'utilisation':
      return `${Math.round(v * 100)}% of the registered limit is outstanding`;
    case 'confirmed_fraud':
      return v === 1 ? 'the account or one of its payments is labelled fraud' : 'no fraud label';
    case 'device_changes':
      return `${v} new device(s) in 30 days`;
    case 'complaints':
      return `${v} complaint(s) in 30 days`;
  }
}

/**
 * The rating of `acc` with every driver, recomputed at the time of its stored rating, so the
 * drivers add up to the stored score. Null for an account never rated.
 */
export function explainRating(acc: AccountView, fraud: boolean): RatingExplained | null {
  const t = acc.ratedAt;
  if (Number.isNaN(t)) return null;
  const score = drivers(acc, t, fraud);
  const out: RatingDriver[] = [];
  for (let i = 0; i < DRIVERS.length; i++) {
    const d = DRIVERS[i];
    const v = values[i];
    const value = d === 'confirmed_fraud' ? v === 1 : Number.isNaN(v) ? null : round(v, d === 'repayment' || d === 'utilisation' ? 4 : 2);
    out.push({ driver: d, value, points: points[i], note: note(d, v) });
  }
  return { score, grade: gradeOf(score), ratedAt: t, base: RATING_BASE, drivers: out };
}
