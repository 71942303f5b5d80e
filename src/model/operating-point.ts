/**
 * The operating point a review budget sets (`fengkong train --review-budget 0.5%`): the share of
 * legitimate payments the team can look at is spent first on what the rules' own outcomes flag, and
 * the rest on the score of rules and model together — review where the budget ends, challenge where
 * half of it ends, decline where a tenth of it ends (declines cost good customers most, so they get
 * the narrowest slice). Set on the latest held-out slice; what the thresholds give there — share
 * flagged, recall, recall per typology — is kept with them. Pure.
 */
import { thresholdForShare } from '../eval/operating-curve.js';
import { applyAllow, outcomeOf } from '../rules/evaluate.js';
import type { Outcome, Thresholds } from '../rules/policy-types.js';
import type { OperatingPoint } from './gbdt-model.js';

/** One payment of the slice: its score with the model, what the rules ask for at least, the truth. */
export interface PointRow {
  readonly score: number;
  readonly floor: Outcome;
  readonly allowed: boolean;
  readonly fraud: boolean;
  /** the fraud's typology ('' when the label named none). */
  readonly typology: string;
}

/** Shares of the budget each level of outcome may take. */
const CHALLENGE_SHARE = 0.5;
const DECLINE_SHARE = 0.1;

/** The outcome of `r` under thresholds `t`, as a decision with a model gives it (engine/decision.ts). */
export function outcomeAt(r: PointRow, t: Thresholds): Outcome {
  return outcomeOf(r.score, t, r.floor, r.allowed);
}

/** The legitimate payments of `rows`: how many, how many the rules' own outcomes flag, and the scores of those only the score can flag. */
function legitimate(rows: readonly PointRow[]): { legit: number; floorFlagged: number; open: number[] } {
  let legit = 0;
  let floorFlagged = 0;
  const open: number[] = [];
  for (const r of rows) {
    if (r.fraud) continue;
    legit++;
    if (applyAllow(r.floor, r.allowed) !== 'approve') floorFlagged++;
    else if (!r.allowed) open.push(r.score);
  }
  return { legit, floorFlagged, open };
}

/** The thresholds that spend `budget` (a share of legitimate payments) on `rows`, and what they give there. */
export function chooseOperatingPoint(rows: readonly PointRow[], budget: number): OperatingPoint {
  const { legit, floorFlagged, open } = legitimate(rows);
  open.sort((a, b) => b - a);
  const left = Math.max(0, budget * legit - floorFlagged);
  const at = (part: number): number => {
    if (open.length === 0 || left <= 0) return 100;
    const t = thresholdForShare(open, (left * part) / open.length);
    return t === -Infinity ? 0 : Math.min(100, t);
  };
  const review = at(1);
  const challenge = Math.max(review, at(CHALLENGE_SHARE));
  const t: Thresholds = { review, challenge, decline: Math.max(challenge, at(DECLINE_SHARE)) };
  let flaggedLegit = 0;
  let frauds = 0;
  let caught = 0;
  const typologies: Record<string, { frauds: number; flagged: number }> = {};
  for (const r of rows) {
    const flagged = outcomeAt(r, t) !== 'approve';
    if (!r.fraud) {
      if (flagged) flaggedLegit++;
      continue;
    }
    frauds++;
    if (flagged) caught++;
    const k = r.typology || '(unknown)';
    const e = (typologies[k] ??= { frauds: 0, flagged: 0 });
    e.frauds++;
    if (flagged) e.flagged++;
  }
  return {
    budget,
    ...t,
    slice: { rows: rows.length, frauds, legitimateFlagged: legit === 0 ? 0 : flaggedLegit / legit, recall: frauds === 0 ? NaN : caught / frauds, typologies },
  };
}

/** The share of legitimate payments the rules' own outcomes alone flag in `rows` (more than the budget: no threshold can help). */
export function floorShare(rows: readonly PointRow[]): number {
  const { legit, floorFlagged } = legitimate(rows);
  return legit === 0 ? 0 : floorFlagged / legit;
}
