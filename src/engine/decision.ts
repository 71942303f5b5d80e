/**
 * The decision a payment gets, and the pure step from matching rules to outcome, score and
 * reasons. Kept apart from the engine so backtests and shadow policies reuse exactly the same
 * combination logic.
 */
import { combine, outcomeOf } from '../rules/evaluate.js';
import type { CompiledPolicy, CompiledRule, Outcome, Thresholds } from '../rules/policy-types.js';
import { outcomeRank } from '../rules/policy-types.js';
import type { DecisionAction } from './rule-actions.js';

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
  /** What the policy's rules did besides deciding (engine/rule-actions.ts); absent when nothing. */
  readonly actions?: readonly DecisionAction[];
}

/** How decisive a matching rule is: decline, then allow (it decided any other outcome), challenge, review, points. */
function importance(r: CompiledRule): number {
  const rank = r.outcome === null ? 0 : r.outcome === 'allow' ? 2.5 : outcomeRank(r.outcome);
  return rank * 1e6 + r.points;
}

/**
 * Turns the matching rules (indices in `hits[0..count)`) into a decision: outcome and score as the
 * rule language's `combine` rules them (decline > challenge > review > approve, thresholds on the
 * score, then `allow` turning review or challenge into approve), and every matching rule's reason,
 * most decisive first, each code once.
 */
export function toDecision(txId: string, policy: CompiledPolicy, hits: Int32Array, count: number): Decision {
  const c = combine(policy, hits, count);
  const score = Math.round(c.score * 10_000) / 10_000;
  return { txId, outcome: c.outcome, score, reasons: reasonsOf(policy.rules, hits, count), policy: policy.name };
}

/**
 * Rules and model together: the score is the noisy-OR of the rules' score and the model's calibrated
 * probability, 100·(1 − (1 − p)(1 − rules/100)) — either alone can raise it, neither can lower the
 * other — and the policy's thresholds apply to it (or the model's operating point, `thresholds`); rule
 * outcomes still set a floor, and an `allow` rule still turns review or challenge into approve (never a decline).
 */
export function toModelDecision(
  txId: string,
  policy: CompiledPolicy,
  hits: Int32Array,
  count: number,
  probability: number,
  thresholds: Thresholds = policy.thresholds,
): Decision {
  const c = combine(policy, hits, count);
  const score = combinedScore(probability, c.score);
  const outcome = outcomeOf(score, thresholds, c.ruleOutcome, c.allowed);
  return { txId, outcome, score, reasons: reasonsOf(policy.rules, hits, count), policy: policy.name };
}

/** The noisy-OR of the model's probability and the rules' score (0–100), to 4 decimals: the score a decision with a model carries. */
export function combinedScore(probability: number, rulesScore: number): number {
  const p = probability > 0 ? Math.min(1, probability) : 0;
  return Math.round(100 * (1 - (1 - p) * (1 - rulesScore / 100)) * 10_000) / 10_000;
}

/** The decision with the model's top features after the rules' reasons, as `MODEL_<FEATURE>` codes. */
export function withModelReasons(d: Decision, features: readonly string[]): Decision {
  if (features.length === 0) return d;
  return { ...d, reasons: [...d.reasons, ...features.map((f) => ({ code: modelReasonCode(f) }))] };
}

/** `amount_vs_mean` → `MODEL_AMOUNT_VS_MEAN`: a stable code per feature. */
export function modelReasonCode(feature: string): string {
  return 'MODEL_' + feature.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

const NO_REASONS: readonly Reason[] = Object.freeze([]);

function reasonsOf(rules: readonly CompiledRule[], hits: Int32Array, count: number): readonly Reason[] {
  if (count === 0) return NO_REASONS;
  if (count === 1) return [{ code: rules[hits[0]].reason }];
  const matched: CompiledRule[] = [];
  for (let i = 0; i < count; i++) matched.push(rules[hits[i]]);
  matched.sort((a, b) => importance(b) - importance(a));
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const r of matched) {
    if (seen.has(r.reason)) continue;
    seen.add(r.reason);
    reasons.push({ code: r.reason });
  }
  return reasons;
}

/**
 * The decision as one JSON line, written by hand because it is produced for every payment and
 * JSON.stringify of the nested object was a visible share of replay time. Same output as
 * JSON.stringify(d) (tested).
 */
export function decisionJson(d: Decision): string {
  let reasons = '';
  const rs = d.reasons;
  for (let i = 0; i < rs.length; i++) reasons += (i === 0 ? '{"code":' : ',{"code":') + JSON.stringify(rs[i].code) + '}';
  return (
    '{"txId":' + JSON.stringify(d.txId) + ',"outcome":"' + d.outcome + '","score":' + d.score +
    ',"reasons":[' + reasons + '],"policy":' + JSON.stringify(d.policy) +
    (d.actions === undefined ? '}' : ',"actions":' + JSON.stringify(d.actions) + '}')
  );
}
