/**
 * The backtest report: what the live policy decided over a range of journaled history next to what a
 * draft decides over the same payments, judged by the labels known now. A plain JSON-serialisable
 * object (no Infinity, no NaN, no Map), so it travels unchanged through a worker, an HTTP answer and
 * a file. Money is in the contract's minor units (fen for CNY).
 */
import { OUTCOMES, type Outcome } from '../rules/policy-types.js';

/** One number per outcome. */
export type OutcomeCounts = Record<Outcome, number>;

/** Which kind of label made a payment fraud or legitimate: its own (txId) or one on its account, merchant or terminal. */
export type LabelScope = 'tx' | 'account' | 'merchant' | 'terminal';

/** What the labels known now say about one payment. */
export interface TxTruth {
  readonly fraud: boolean;
  readonly by: LabelScope;
  readonly typology: string | null;
}

/** How the payments of a range stand by the labels known now (unlabelled ones count as legitimate). */
export interface LabelCounts {
  /** payments labelled fraud, directly (tx) or through an entity. */
  fraud: number;
  fraudByEntity: number;
  /** payments labelled legitimate, and those with no label. */
  legitimateLabelled: number;
  unlabelled: number;
}

/** The label summary every report over the journal carries (backtest, rule performance, risk report). */
export interface LabelSummary extends Readonly<LabelCounts> {
  readonly events: number;
  /** entity kinds whose fraud label marks their payments without a label of their own. */
  readonly entityScopes: readonly LabelScope[];
}

/** Zeroed label counts. */
export function newLabelCounts(): LabelCounts {
  return { fraud: 0, fraudByEntity: 0, legitimateLabelled: 0, unlabelled: 0 };
}

/** Counts what the labels say about one payment. */
export function countTruth(c: LabelCounts, truth: TxTruth | null): void {
  if (truth === null) c.unlabelled++;
  else if (!truth.fraud) c.legitimateLabelled++;
  else {
    c.fraud++;
    if (truth.by !== 'tx') c.fraudByEntity++;
  }
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
export interface LegitimateStats {
  /** legitimate payments in the range (unlabelled ones included), and their value. */
  readonly total: number;
  readonly totalAmount: number;
  readonly declined: number;
  readonly declinedAmount: number;
  readonly challenged: number;
  readonly challengedAmount: number;
  readonly reviewed: number;
  readonly reviewedAmount: number;
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
  readonly changed: {
    /** every payment whose outcome changes. */
    readonly total: number;
    /** the first `maxChanged` of them in journal order. */
    readonly transactions: readonly ChangedTransaction[];
    readonly truncated: boolean;
  };
}

/** Zero per outcome. */
export function zeroOutcomes(): OutcomeCounts {
  return { approve: 0, review: 0, challenge: 0, decline: 0 };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Accumulates one policy's PolicyStats payment by payment; `finish` freezes them into the report's shape. */
export class PolicyTally {
  private readonly policies = new Set<string>();
  private transactions = 0;
  private readonly outcomes = zeroOutcomes();
  private readonly amounts = zeroOutcomes();
  private readonly hits = new Map<string, number>();
  private readonly fraud = { total: 0, totalAmount: 0, caught: 0, caughtAmount: 0, caughtByDecline: 0, caughtByDeclineAmount: 0, missed: 0, missedAmount: 0 };
  private readonly legit = {
    total: 0, totalAmount: 0, declined: 0, declinedAmount: 0, challenged: 0, challengedAmount: 0,
    reviewed: 0, reviewedAmount: 0, flagged: 0, flaggedAmount: 0,
  };
  private lastPolicy = '';

  /** Counts one payment: its outcome, value, whether it is fraud, and the reason codes it carried. */
  add(policy: string, outcome: Outcome, amount: number, fraud: boolean, codes: readonly { readonly code: string }[]): void {
    if (policy !== this.lastPolicy) {
      this.policies.add(policy);
      this.lastPolicy = policy;
    }
    this.transactions++;
    this.outcomes[outcome]++;
    this.amounts[outcome] += amount;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i].code;
      this.hits.set(c, (this.hits.get(c) ?? 0) + 1);
    }
    if (fraud) {
      const f = this.fraud;
      f.total++;
      f.totalAmount += amount;
      if (outcome === 'approve') {
        f.missed++;
        f.missedAmount += amount;
        return;
      }
      f.caught++;
      f.caughtAmount += amount;
      if (outcome === 'decline') {
        f.caughtByDecline++;
        f.caughtByDeclineAmount += amount;
      }
      return;
    }
    const l = this.legit;
    l.total++;
    l.totalAmount += amount;
    if (outcome === 'approve') return;
    l.flagged++;
    l.flaggedAmount += amount;
    if (outcome === 'decline') {
      l.declined++;
      l.declinedAmount += amount;
    } else if (outcome === 'challenge') {
      l.challenged++;
      l.challengedAmount += amount;
    } else {
      l.reviewed++;
      l.reviewedAmount += amount;
    }
  }

  /** The figures so far, in the report's shape. */
  finish(): PolicyStats {
    const n = this.transactions;
    const f = this.fraud;
    const flagged = n - this.outcomes.approve;
    const hits: Record<string, number> = {};
    for (const [code, count] of [...this.hits].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) hits[code] = count;
    return {
      policies: [...this.policies].sort(),
      transactions: n,
      outcomes: { ...this.outcomes },
      amounts: { ...this.amounts },
      alertRate: ratio(flagged, n),
      declineRate: ratio(this.outcomes.decline, n),
      hits,
      fraud: { ...f },
      legitimate: { ...this.legit },
      precision: ratio(f.caught, flagged),
      recall: ratio(f.caught, f.total),
      declinePrecision: ratio(f.caughtByDecline, this.outcomes.decline),
      declineRecall: ratio(f.caughtByDecline, f.total),
    };
  }
}

/** An empty live→draft transition matrix. */
export function emptyTransitions(): Record<Outcome, OutcomeCounts> {
  const m = {} as Record<Outcome, OutcomeCounts>;
  for (const o of OUTCOMES) m[o] = zeroOutcomes();
  return m;
}
