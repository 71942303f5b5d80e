/**
 * The decision a payment gets, and the pure step from matching rules to outcome, score and
 * reasons. Kept apart from the engine so backtests and shadow policies reuse exactly the same
 * combination logic.
 */
import type { CompiledPolicy, CompiledRule, Outcome } from '../rules/policy-types.js';
import { outcomeRank } from '../rules/policy-types.js';

/** One reason behind a decision; `code` is stable and documented per rule. */
export interface Reason {
  readonly code: string;
}

/** The contract's decision, plus the policy that made it. */
export interface Decision {
  readonly txId: string;
  readonly outcome: Outcome;
  /** 0–100, higher is riskier; real-valued so that it ranks. */
  readonly score: number;
  /** most important first. */
  readonly reasons: readonly Reason[];
  readonly policy: string;
}

const OUTCOME_BY_RANK: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];

/** Maps summed rule points onto 0–100: 100·p/(p+scale), so points add up but never pass 100. */
export function pointsToScore(points: number, scale: number): number {
  if (!(points > 0)) return 0;
  return (100 * points) / (points + scale);
}

/** The outcome a score asks for under the policy's thresholds. */
export function outcomeForScore(score: number, p: CompiledPolicy): Outcome {
  const th = p.thresholds;
  if (score >= th.decline) return 'decline';
  if (score >= th.challenge) return 'challenge';
  if (score >= th.review) return 'review';
  return 'approve';
}

function importance(r: CompiledRule): number {
  return (r.outcome === null ? 0 : outcomeRank(r.outcome)) * 1e6 + r.points;
}

/**
 * Combines the matching rules (indices in `hits[0..count)`) into a decision: the highest-priority
 * outcome among rules and score thresholds wins (decline > challenge > review > approve), and every
 * matching rule's reason is reported, most decisive first.
 */
export function combine(
  txId: string,
  policy: CompiledPolicy,
  hits: Int32Array,
  count: number,
  extraPoints = 0,
): Decision {
  const rules = policy.rules;
  let points = extraPoints;
  let rank = 0;
  for (let i = 0; i < count; i++) {
    const r = rules[hits[i]];
    points += r.points;
    if (r.outcome !== null) {
      const k = outcomeRank(r.outcome);
      if (k > rank) rank = k;
    }
  }
  const score = Math.round(pointsToScore(points, policy.scoreScale) * 10_000) / 10_000;
  const byScore = outcomeRank(outcomeForScore(score, policy));
  if (byScore > rank) rank = byScore;
  let reasons: Reason[];
  if (count === 0) reasons = [];
  else if (count === 1) reasons = [{ code: rules[hits[0]].reason }];
  else {
    const matched: CompiledRule[] = [];
    for (let i = 0; i < count; i++) matched.push(rules[hits[i]]);
    matched.sort((a, b) => importance(b) - importance(a));
    reasons = [];
    const seen = new Set<string>();
    for (const r of matched) {
      if (!seen.has(r.reason)) {
        seen.add(r.reason);
        reasons.push({ code: r.reason });
      }
    }
  }
  return { txId, outcome: OUTCOME_BY_RANK[rank], score, reasons, policy: policy.name };
}
