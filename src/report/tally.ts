/**
 * The counters of the risk report, filled payment by payment in one pass: a period's totals (and
 * the same per time bucket), and per merchant or terminal. Counters are slots of a Float64Array so
 * a million payments cost no allocation; `view` functions turn them into the report's plain shapes.
 */
import { OUTCOMES, outcomeRank, type Outcome } from '../rules/policy-types.js';
import type { LiveDecision } from '../policy/backtest-live.js';
import type { OutcomeCounts, TxTruth } from '../policy/backtest-report.js';

const PAYMENTS = 0;
const AMOUNT = 1;
const OUT = 2; // 2..5 payments per outcome, by outcomeRank
const OUT_AMOUNT = 6; // 6..9 value per outcome
const FRAUD = 10; // 10..13 fraud payments per outcome
const FRAUD_AMOUNT = 14; // 14..17 fraud value per outcome
const UNLABELLED = 18;
const SCORE_SUM = 19;
const SCORED = 20;
const SLOTS = 21;

const APPROVE = 0;
const REVIEW = 1;
const CHALLENGE = 2;
const DECLINE = 3;

/** Fraud payments (by the labels known now) and what was decided on them. */
export interface FraudFigures {
  readonly total: number;
  readonly totalAmount: number;
  /** not approved: declined, challenged or reviewed. */
  readonly caught: number;
  readonly caughtAmount: number;
  /** approved. */
  readonly missed: number;
  readonly missedAmount: number;
  readonly declined: number;
  readonly declinedAmount: number;
  readonly challenged: number;
  readonly challengedAmount: number;
  readonly reviewed: number;
  readonly reviewedAmount: number;
}

/** Payments not labelled fraud (unlabelled included) and what was decided on them. */
export interface LegitimateFigures {
  readonly total: number;
  readonly totalAmount: number;
  /** inside total: nothing is known about them. */
  readonly unlabelled: number;
  readonly declined: number;
  readonly declinedAmount: number;
  readonly challenged: number;
  readonly challengedAmount: number;
  readonly reviewed: number;
  readonly reviewedAmount: number;
}

/** A period's (or a bucket's) figures. Money in minor units. */
export interface PeriodFigures {
  readonly payments: number;
  readonly amount: number;
  readonly outcomes: OutcomeCounts;
  readonly amounts: OutcomeCounts;
  /** share not approved; null without payments. */
  readonly alertRate: number | null;
  readonly declineRate: number | null;
  /** mean score of the payments whose answer carried one; null without. */
  readonly meanScore: number | null;
  readonly fraud: FraudFigures;
  readonly legitimate: LegitimateFigures;
  /** value of fraud declined or challenged: stopped before the money left. */
  readonly moneySaved: number;
  /** value of legitimate payments declined: revenue and goodwill lost. */
  readonly legitimateDeclinedAmount: number;
  /** fraud caught / payments flagged; null without flags. */
  readonly precision: number | null;
  /** fraud caught / fraud; null without fraud. */
  readonly recall: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** One set of period counters. */
export class PeriodCells {
  readonly c = new Float64Array(SLOTS);

  /** Counts one payment. */
  add(amount: number, d: LiveDecision, truth: TxTruth | null): void {
    const c = this.c;
    const o = outcomeRank(d.outcome);
    c[PAYMENTS]++;
    c[AMOUNT] += amount;
    c[OUT + o]++;
    c[OUT_AMOUNT + o] += amount;
    if (truth !== null && truth.fraud) {
      c[FRAUD + o]++;
      c[FRAUD_AMOUNT + o] += amount;
    } else if (truth === null) c[UNLABELLED]++;
    if (d.score !== null) {
      c[SCORE_SUM] += d.score;
      c[SCORED]++;
    }
  }

  /** The figures, in the report's shape. */
  view(): PeriodFigures {
    const c = this.c;
    const outcomes = {} as Record<Outcome, number>;
    const amounts = {} as Record<Outcome, number>;
    for (const o of OUTCOMES) {
      outcomes[o] = c[OUT + outcomeRank(o)];
      amounts[o] = c[OUT_AMOUNT + outcomeRank(o)];
    }
    const f = (o: number): number => c[FRAUD + o];
    const fa = (o: number): number => c[FRAUD_AMOUNT + o];
    const l = (o: number): number => c[OUT + o] - c[FRAUD + o];
    const la = (o: number): number => c[OUT_AMOUNT + o] - c[FRAUD_AMOUNT + o];
    const fraudTotal = f(0) + f(1) + f(2) + f(3);
    const fraudAmount = fa(0) + fa(1) + fa(2) + fa(3);
    const caught = f(REVIEW) + f(CHALLENGE) + f(DECLINE);
    const flagged = c[PAYMENTS] - c[OUT + APPROVE];
    return {
      payments: c[PAYMENTS],
      amount: c[AMOUNT],
      outcomes,
      amounts,
      alertRate: ratio(flagged, c[PAYMENTS]),
      declineRate: ratio(c[OUT + DECLINE], c[PAYMENTS]),
      meanScore: ratio(c[SCORE_SUM], c[SCORED]),
      fraud: {
        total: fraudTotal,
        totalAmount: fraudAmount,
        caught,
        caughtAmount: fraudAmount - fa(APPROVE),
        missed: f(APPROVE),
        missedAmount: fa(APPROVE),
        declined: f(DECLINE),
        declinedAmount: fa(DECLINE),
        challenged: f(CHALLENGE),
        challengedAmount: fa(CHALLENGE),
        reviewed: f(REVIEW),
        reviewedAmount: fa(REVIEW),
      },
      legitimate: {
        total: c[PAYMENTS] - fraudTotal,
        totalAmount: c[AMOUNT] - fraudAmount,
        unlabelled: c[UNLABELLED],
        declined: l(DECLINE),
        declinedAmount: la(DECLINE),
        challenged: l(CHALLENGE),
        challengedAmount: la(CHALLENGE),
        reviewed: l(REVIEW),
        reviewedAmount: la(REVIEW),
      },
      moneySaved: fa(DECLINE) + fa(CHALLENGE),
      legitimateDeclinedAmount: la(DECLINE),
      precision: ratio(caught, flagged),
      recall: ratio(caught, fraudTotal),
    };
  }
}

const E_PAYMENTS = 0;
const E_AMOUNT = 1;
const E_FLAGGED = 2;
const E_FLAGGED_AMOUNT = 3;
const E_DECLINED = 4;
const E_FRAUD = 5;
const E_FRAUD_AMOUNT = 6;
const E_SLOTS = 7;

/** A merchant's or terminal's figures over the period. */
export interface EntityFigures {
  readonly id: string;
  readonly payments: number;
  readonly amount: number;
  /** payments not approved, and their value. */
  readonly flagged: number;
  readonly flaggedAmount: number;
  readonly flaggedShare: number;
  readonly declined: number;
  /** fraud payments by the labels known now, and their value. */
  readonly fraud: number;
  readonly fraudAmount: number;
  /** the live engine's current rating, when the report was made beside one (see ratings.ts). */
  readonly rating?: { readonly score: number; readonly grade: string };
}

/** The riskiest entities of one kind, two ways. */
export interface TopEntities {
  /** entities with any payment in the period. */
  readonly seen: number;
  /** by fraud value (then fraud count); entities without fraud left out. */
  readonly byFraudAmount: readonly EntityFigures[];
  /** by share of payments flagged, among entities with at least `minPayments` payments. */
  readonly byFlaggedShare: readonly EntityFigures[];
  readonly minPayments: number;
}

/** Counters per entity id (merchant or terminal). */
export class EntityCells {
  private readonly m = new Map<string, Float64Array>();

  /** Counts one payment of entity `id`. */
  add(id: string, amount: number, d: LiveDecision, truth: TxTruth | null): void {
    let c = this.m.get(id);
    if (c === undefined) {
      c = new Float64Array(E_SLOTS);
      this.m.set(id, c);
    }
    c[E_PAYMENTS]++;
    c[E_AMOUNT] += amount;
    if (d.outcome !== 'approve') {
      c[E_FLAGGED]++;
      c[E_FLAGGED_AMOUNT] += amount;
      if (d.outcome === 'decline') c[E_DECLINED]++;
    }
    if (truth !== null && truth.fraud) {
      c[E_FRAUD]++;
      c[E_FRAUD_AMOUNT] += amount;
    }
  }

  /** The top `n` both ways. */
  top(n: number, minPayments: number): TopEntities {
    const rows: EntityFigures[] = [];
    for (const [id, c] of this.m) {
      if (c[E_FRAUD] === 0 && c[E_FLAGGED] === 0) continue;
      rows.push(figures(id, c));
    }
    const byId = (a: EntityFigures, b: EntityFigures): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const byFraudAmount = rows
      .filter((r) => r.fraud > 0)
      .sort((a, b) => b.fraudAmount - a.fraudAmount || b.fraud - a.fraud || byId(a, b))
      .slice(0, n);
    const byFlaggedShare = rows
      .filter((r) => r.payments >= minPayments && r.flagged > 0)
      .sort((a, b) => b.flaggedShare - a.flaggedShare || b.flagged - a.flagged || byId(a, b))
      .slice(0, n);
    return { seen: this.m.size, byFraudAmount, byFlaggedShare, minPayments };
  }
}

function figures(id: string, c: Float64Array): EntityFigures {
  return {
    id,
    payments: c[E_PAYMENTS],
    amount: c[E_AMOUNT],
    flagged: c[E_FLAGGED],
    flaggedAmount: c[E_FLAGGED_AMOUNT],
    flaggedShare: c[E_FLAGGED] / c[E_PAYMENTS],
    declined: c[E_DECLINED],
    fraud: c[E_FRAUD],
    fraudAmount: c[E_FRAUD_AMOUNT],
  };
}
