/**
 * The per-payment hot path over a compiled policy: which rules match, and what they add up to.
 * Nothing here allocates per call except `combine`'s small result, so the engine can run it on
 * every payment without feeding the garbage collector.
 */
import type { FeatureVector } from '../features/vector.js';
import { outcomeRank, type CompiledPolicy, type Outcome, type Thresholds } from './policy-types.js';

/** Runs derived features in declaration order (after the engine filled builtins and windows). */
export function computeDerived(policy: CompiledPolicy, v: FeatureVector): void {
  const d = policy.derived;
  const num = v.num;
  for (let i = 0; i < d.length; i++) num[d[i].slot] = d[i].compute(v);
}

/** Writes the indices of matching rules into `hits` (length ≥ rules.length) and returns how many matched. */
export function evaluateRules(policy: CompiledPolicy, v: FeatureVector, hits: Int32Array): number {
  const rules = policy.rules;
  let n = 0;
  for (let i = 0; i < rules.length; i++) if (rules[i].test(v)) hits[n++] = i;
  return n;
}

/** Maps points to the 0–100 score: 100·p/(p+scale); no or negative points score 0. */
export function scoreOf(points: number, scale: number): number {
  return points > 0 ? (100 * points) / (points + scale) : 0;
}

/** The outcome a score asks for on its own. */
export function thresholdOutcome(score: number, t: Thresholds): Outcome {
  return score >= t.decline ? 'decline' : score >= t.challenge ? 'challenge' : score >= t.review ? 'review' : 'approve';
}

/** What the matching rules add up to. */
export interface Combined {
  readonly points: number;
  readonly score: number;
  /** the highest outcome any matching rule asked for ('approve' when none did). */
  readonly ruleOutcome: Outcome;
  /** the higher of ruleOutcome and the score's own outcome. */
  readonly outcome: Outcome;
}

/** Sums points and takes the highest-priority outcome, so every caller decides the same way. */
export function combine(policy: CompiledPolicy, hits: Int32Array, count: number): Combined {
  let points = 0;
  let ruleOutcome: Outcome = 'approve';
  for (let i = 0; i < count; i++) {
    const r = policy.rules[hits[i]];
    points += r.points;
    if (r.outcome !== null && outcomeRank(r.outcome) > outcomeRank(ruleOutcome)) ruleOutcome = r.outcome;
  }
  const score = scoreOf(points, policy.scoreScale);
  const byScore = thresholdOutcome(score, policy.thresholds);
  return { points, score, ruleOutcome, outcome: outcomeRank(byScore) > outcomeRank(ruleOutcome) ? byScore : ruleOutcome };
}
