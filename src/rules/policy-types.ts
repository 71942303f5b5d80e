/**
 * What a compiled policy hands to the engine. The compiler owns the text; the engine only sees
 * these shapes, so either side can change its insides without touching the other.
 */
import type { FeatureVector } from '../features/vector.js';
import type { RuleAction } from './actions.js';

/** Decision outcomes, in rising priority (a payment network's order). */
export const OUTCOMES = ['approve', 'review', 'challenge', 'decline'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * What a rule may ask for: a decision outcome, or `allow`, which turns a review or challenge (from
 * rules or score) into approve but never overrides a decline. It is not itself a decision outcome.
 */
export const RULE_OUTCOMES = [...OUTCOMES, 'allow'] as const;
export type RuleOutcome = (typeof RULE_OUTCOMES)[number];

/** Priority of an outcome: the highest among all matching rules wins. */
export function outcomeRank(o: Outcome): number {
  return o === 'decline' ? 3 : o === 'challenge' ? 2 : o === 'review' ? 1 : 0;
}

/** Aggregations a window feature can compute. */
export type WindowAgg = 'count' | 'sum' | 'mean' | 'max' | 'min' | 'distinct';

/** A compiled predicate or value over the feature vector. */
export type Predicate = (v: FeatureVector) => boolean;
export type NumberFn = (v: FeatureVector) => number;

/** A declared window feature: `feature x = sum(amount) by account over 24h where channel == "qr"`. */
export interface WindowFeature {
  readonly name: string;
  readonly agg: WindowAgg;
  /** num slot of the aggregated value (sum/mean/max/min), str slot of the counted value (distinct), -1 for count. */
  readonly valueSlot: number;
  /** str slots whose values, joined, form the key (e.g. account, or account + merchant). */
  readonly keySlots: readonly number[];
  /** builtin names of the key parts, e.g. ['account', 'merchant']; the engine groups windows by this. */
  readonly keyNames: readonly string[];
  readonly lengthMs: number;
  readonly buckets: number;
  /** only events for which this holds enter the window; evaluated on the current transaction's builtins. */
  readonly filter: Predicate | null;
  /** What the window computes as canonical text; equal signatures hold interchangeable state. */
  readonly signature: string;
  /** num slot the engine writes this feature's value into before rules run. */
  readonly slot: number;
  readonly line: number;
}

/** A declared expression feature: `feature ratio = amount / mean_amount_30d`, computed after windows, in order. */
export interface DerivedFeature {
  readonly name: string;
  readonly type: 'number' | 'boolean';
  readonly slot: number;
  readonly compute: NumberFn;
  readonly line: number;
}

/** One rule: when `test` holds, it adds `points` and asks for `outcome` (if any), reporting `reason`. */
export interface CompiledRule {
  readonly name: string;
  readonly reason: string;
  readonly description: string;
  readonly outcome: RuleOutcome | null;
  readonly points: number;
  readonly test: Predicate;
  /** What the rule does besides deciding when it fires (rules/actions.ts); empty for most rules. */
  readonly actions: readonly RuleAction[];
  readonly file: string;
  readonly line: number;
}

/** How many actions rules may take per hour of event time: all together, and each rule. */
export interface ActionCaps {
  readonly perHour: number;
  readonly perRulePerHour: number;
  /** Hours each detector's finding holds settlement or suspends the terminal (0: none). */
  readonly detectorHours: Readonly<Record<string, number>>;
  /** Most detector actions per hour of event time. */
  readonly detectorPerHour: number;
}

/** Score thresholds: a score at or above one asks for that outcome. */
export interface Thresholds {
  readonly review: number;
  readonly challenge: number;
  readonly decline: number;
}

/** A whole policy, ready to evaluate. Immutable once built, so it can be swapped atomically. */
export interface CompiledPolicy {
  readonly name: string;
  readonly windows: readonly WindowFeature[];
  readonly derived: readonly DerivedFeature[];
  readonly rules: readonly CompiledRule[];
  readonly thresholds: Thresholds;
  /** points → score: score = 100 · points / (points + scoreScale). */
  readonly scoreScale: number;
  /** total num / str slots a vector for this policy needs. */
  readonly numSlots: number;
  readonly strSlots: number;
  /** Names of the lists the policy's `in_list()` calls read, sorted, each once: a list a live policy uses must not be deleted. */
  readonly lists: readonly string[];
  /** Every `in_list()` call: which list, the feature looked up (null for a literal) and where, to check list kinds. */
  readonly listUses: readonly ListUse[];
  /** Alerts that switch on the incident mode whose overlay this is (`setting alerts.switch_on.<metric> = 1`). */
  readonly switchOnAlerts: readonly string[];
  /** The periodic jobs the policy asks for (src/schedules): review every N days (0: none), the weekly report, re-rating idle accounts, purging expired list entries. */
  readonly schedules: { readonly reviewEveryDays: number; readonly weeklyReport: boolean; readonly rerateIdleDays: number; readonly listExpiry: boolean };
  /** True when some rule has an action: the engine looks for actions only then. */
  readonly acting: boolean;
  readonly actionCaps: ActionCaps;
}

/** One `in_list(feature, "list")` call of a policy. */
export interface ListUse {
  readonly list: string;
  readonly feature: string | null;
  readonly file: string;
  readonly line: number;
}

/**
 * A list's name as `in_list(x, "name")` and the list store spell it: lowercase letters, digits and
 * `_`, starting with a letter, at most 64 characters. The rule language owns the syntax; lists/ reuses it.
 */
export const LIST_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;
