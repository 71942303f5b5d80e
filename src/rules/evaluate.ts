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
  /** the highest outcome any matching rule asked for ('approve' when none did); `allow` does not count here. */
  readonly ruleOutcome: Outcome;
  /** a matching rule asked for `allow`. */
  readonly allowed: boolean;
  /** the higher of ruleOutcome and the score's own outcome, then `allow` applied (see applyAllow). */
  readonly outcome: Outcome;
}

/**
 * The `allow` precedence: an allowed payment that would be reviewed or challenged (by a rule or by
 * its score) is approved; a decline is never overridden. The score and reasons stay as they are.
 */
export function applyAllow(outcome: Outcome, allowed: boolean): Outcome {
  return allowed && outcome !== 'decline' ? 'approve' : outcome;
}

/**
 * The outcome a score gets under `t`, never below what the rules' `outcome` clauses asked for
 * (`floor`), then `allow` applied: the one rule for rules alone, rules with a model, and the
 * operating point a review budget sets.
 */
export function outcomeOf(score: number, t: Thresholds, floor: Outcome, allowed: boolean): Outcome {
  const byScore = thresholdOutcome(score, t);
  return applyAllow(outcomeRank(byScore) > outcomeRank(floor) ? byScore : floor, allowed);
}

/** Sums points and takes the highest-priority outcome, so every caller decides the same way. */
export function combine(policy: CompiledPolicy, hits: Int32Array, count: number): Combined {
  let points = 0;
  let ruleOutcome: Outcome = 'approve';
  let allowed = false;
  for (let i = 0; i < count; i++) {
    const r = policy.rules[hits[i]];
    points += r.points;
    const o = r.outcome;
    if (o === null) continue;
    if (o === 'allow') allowed = true;
    else if (outcomeRank(o) > outcomeRank(ruleOutcome)) ruleOutcome = o;
  }
  const score = scoreOf(points, policy.scoreScale);
  return { points, score, ruleOutcome, allowed, outcome: outcomeOf(score, policy.thresholds, ruleOutcome, allowed) };
}
