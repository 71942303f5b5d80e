/**
 * The backtest report: what the live policy decided over a range of journaled history next to what a
 * draft decides over the same payments, judged by the labels known now. A plain JSON-serialisable
 * object (no Infinity, no NaN, no Map), so it travels unchanged through a worker, an HTTP answer and
 * a file. Money is in the contract's minor units (fen for CNY).
 */
import {
  figuresOf,
  flaggedBreakdown,
  ratio,
  type CellFigures,
  type FlaggedBreakdown,
  type LabelCounts,
  type OutcomeCounts,
} from '../eval/cell.js';
import type { Tally } from '../eval/tally.js';
import type { Outcome } from '../rules/policy-types.js';
import type { LabelScope, TxTruth } from '../eval/truth.js';

// the report's shapes that the shared tally defines, still importable from here
export type { LabelCounts, LabelScope, OutcomeCounts, TxTruth };

/** The label summary every report over the journal carries (backtest, rule performance, risk report). */
export interface LabelSummary extends Readonly<LabelCounts> {
  readonly events: number;
  /** entity kinds whose fraud label marks their payments without a label of their own. */
  readonly entityScopes: readonly LabelScope[];
}

/** Fraud payments (by the labels known now) and what the policy did with them. */
export interface FraudStats {
  /** fraud payments in the range. */
  readonly total: number;
  readonly totalAmount: number;
  /** fraud payments the policy did not approve (review, challenge or decline), and their value. */
  readonly caught: number;
  readonly caughtAmount: number;
  /** fraud payments the policy declined, and their value. */
  readonly caughtByDecline: number;
  readonly caughtByDeclineAmount: number;
  /** fraud payments approved, and their value. */
  readonly missed: number;
  readonly missedAmount: number;
}

/** Legitimate payments (not labelled fraud) the policy got in the way of. */
export interface LegitimateStats extends FlaggedBreakdown {
  /** legitimate payments in the range (unlabelled ones included), and their value. */
  readonly total: number;
  readonly totalAmount: number;
  /** not approved (declined + challenged + reviewed). */
  readonly flagged: number;
  readonly flaggedAmount: number;
}

/** One policy's figures over the range. */
export interface PolicyStats {
  /** policy names seen on its decisions (the live side may have changed policy within the range). */
  readonly policies: readonly string[];
  readonly transactions: number;
  readonly outcomes: OutcomeCounts;
  /** payment value per outcome. */
  readonly amounts: OutcomeCounts;
  /** share of payments not approved; null when there were none. */
  readonly alertRate: number | null;
  /** share of payments declined; null when there were none. */
  readonly declineRate: number | null;
  /**
   * Payments per reason code, most frequent first (a rule reports its name unless it declares a
   * reason; rules sharing a code count once per payment). For the live side, from the stored
   * decisions' `reasons`.
   */
  readonly hits: Readonly<Record<string, number>>;
  readonly fraud: FraudStats;
  readonly legitimate: LegitimateStats;
  /** caught / flagged: the share of alerts that were fraud; null without alerts. */
  readonly precision: number | null;
  /** caught / fraud: the share of fraud not approved; null without fraud. */
  readonly recall: number | null;
  /** the same at the decline level. */
  readonly declinePrecision: number | null;
  readonly declineRecall: number | null;
}

/** A payment whose outcome the draft changes. */
export interface ChangedTransaction {
  readonly seq: number;
  readonly txId: string;
  /** the payment's own timestamp, as sent. */
  readonly ts: string;
  readonly accountId: string;
  readonly amount: number;
  readonly live: { readonly outcome: Outcome; readonly score: number | null };
  readonly draft: { readonly outcome: Outcome; readonly score: number; readonly reasons: readonly string[] };
  /** what the labels known now say; null when nothing is known (counted legitimate). */
  readonly label: TxTruth | null;
}

/** Width of a score bin of the backtest's histogram, and how many bins (the last holds every score ≥ 100). */
export const SCORE_BIN_WIDTH = 10;
export const SCORE_BINS = 11;

/**
 * The compared payments' scores in bins of SCORE_BIN_WIDTH points, per side: what the console draws to
 * show how a draft moves scores against its thresholds. Payments whose live answer carried no score
 * are left out of `live` and counted in `liveWithoutScore`.
 */
export interface ScoreHistogram {
  readonly binWidth: number;
  readonly live: readonly number[];
  readonly draft: readonly number[];
  readonly liveWithoutScore: number;
}

/** The bin of `score`: negative scores in the first, ≥ 100 in the last. */
export function scoreBin(score: number): number {
  return Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(score / SCORE_BIN_WIDTH)));
}

/** Everything a backtest reports. */
export interface BacktestReport {
  readonly version: 1;
  /** event-time range of the payments compared: from ≤ t < to (epoch ms); null = unbounded. */
  readonly range: {
    readonly from: number | null;
    readonly to: number | null;
    readonly fromTs: string | null;
    readonly toTs: string | null;
  };
  /** How the draft was run. */
  readonly run: {
    readonly draftPolicy: string;
    readonly draftRules: number;
    readonly model: boolean;
    /** state warmed from this long before `from`; null = from the start of the journal. */
    readonly warmUpMs: number | null;
    /** event time the warm-up starts at; null = start of the journal. */
    readonly warmUpFrom: number | null;
    /** the journal as the backtest saw it: entries 1..lastSeq (later commits are not read). */
    readonly lastSeq: number;
    /** first and last seq replayed (0 when nothing was). */
    readonly firstSeq: number;
    readonly endSeq: number;
    /** events applied to the draft engine, and how many of them lay before `from` (warm-up only). */
    readonly eventsReplayed: number;
    readonly warmUpEvents: number;
    /** events older than the warm-up applied first, all but payments (registrations, account events, labels). */
    readonly preludeEvents: number;
    /** transactions inside the range compared, and those skipped for lack of a readable live decision. */
    readonly transactions: number;
    readonly withoutLiveDecision: number;
    /** operator actions applied at their journal positions (taken and released: one each). */
    readonly actionsApplied: number;
    readonly durationMs: number;
  };
  /** The labels known now (every label in the journal up to lastSeq, those after the range too). */
  readonly labels: LabelSummary;
  readonly live: PolicyStats;
  readonly draft: PolicyStats;
  /** transitions[live][draft]: payments per pair of outcomes; the diagonal is unchanged. */
  readonly transitions: Readonly<Record<Outcome, OutcomeCounts>>;
  /** Score distributions live vs draft; absent in reports stored before it existed. */
  readonly scores?: ScoreHistogram;
  readonly changed: {
    /** every payment whose outcome changes. */
    readonly total: number;
    /** the first `maxChanged` of them in journal order. */
    readonly transactions: readonly ChangedTransaction[];
    readonly truncated: boolean;
  };
  /**
   * What the draft's rule actions would have done in the range (engine/rule-actions.ts), most first:
   * taken within the caps, and capped. The backtest's own engine took them, so later payments were
   * decided with them; nothing reached the live engine or the stores. Absent in older reports.
   */
  readonly ruleActions?: readonly { readonly rule: string; readonly action: string; readonly taken: number; readonly capped: number }[];
}

/** One side of a backtest in the report's shape, read off the shared tally of its payments. */
export function policyStats(t: Tally): PolicyStats {
  const f = figuresOf(t.total);
  const declines = f.byOutcome.decline.payments;
  const fraud = fraudStats(f);
  return {
    policies: [...t.policies].sort(),
    transactions: f.payments,
    outcomes: f.outcomes,
    amounts: f.amounts,
    alertRate: ratio(f.flagged, f.payments),
    declineRate: ratio(declines, f.payments),
    hits: t.hits(),
    fraud,
    legitimate: legitimateStats(f),
    precision: ratio(fraud.caught, f.flagged),
    recall: ratio(fraud.caught, fraud.total),
    declinePrecision: ratio(fraud.caughtByDecline, declines),
    declineRecall: ratio(fraud.caughtByDecline, fraud.total),
  };
}

function fraudStats(f: CellFigures): FraudStats {
  const { approve, decline } = f.byOutcome;
  return {
    total: f.fraud,
    totalAmount: f.fraudAmount,
    caught: f.caught,
    caughtAmount: f.caughtAmount,
    caughtByDecline: decline.fraud,
    caughtByDeclineAmount: decline.fraudAmount,
    missed: approve.fraud,
    missedAmount: approve.fraudAmount,
  };
}

function legitimateStats(f: CellFigures): LegitimateStats {
  return {
    total: f.legitimate,
    totalAmount: f.legitimateAmount,
    ...flaggedBreakdown(f, 'legitimate'),
    flagged: f.flagged - f.caught,
    flaggedAmount: f.flaggedAmount - f.caughtAmount,
  };
}
