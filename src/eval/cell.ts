/**
 * One cell of a tally: per outcome, the payments and their value, and how many of them (and how
 * much value) the labels say are fraud; plus the unlabelled payments, the fraud known only through
 * an entity label, and the score sum. Every figure the reports show (caught, missed, flagged,
 * legitimate declined, precision, recall, money saved) is a sum or difference of these slots, so
 * the reports differ only in how they read a cell, never in how they count.
 *
 * A cell is a Float64Array: counting a million payments allocates nothing, and two cells merge by
 * adding slot to slot. Money is in the contract's minor units (integers, so sums stay exact).
 */
import { OUTCOMES, outcomeRank, type Outcome } from '../rules/policy-types.js';
import type { TxTruth } from './truth.js';

/** The counters of one group of payments (a whole range, a reason code, a bucket, a merchant). */
export type Cell = Float64Array;

/** One number per outcome: the reports' JSON shape for counts and values by outcome. */
export type OutcomeCounts = Record<Outcome, number>;

// slots; the first four groups are indexed by outcomeRank (approve, review, challenge, decline)
const PAYMENTS = 0;
const AMOUNT = 4;
const FRAUD = 8;
const FRAUD_AMOUNT = 12;
const UNLABELLED = 16;
const BY_ENTITY = 17;
const SCORE_SUM = 18;
const SCORED = 19;
const SLOTS = 20;

/** A zeroed cell, for a group seen for the first time. */
export function newCell(): Cell {
  return new Float64Array(SLOTS);
}

/**
 * Counts one payment: the only place a payment enters a tally, so every report agrees on what an
 * outcome, a label and a score add. `rank` is outcomeRank(outcome), computed once by the caller
 * for all the cells a payment lands in; `truth` null means no label (counted legitimate);
 * `score` null means the answer carried none.
 */
export function countInto(c: Cell, rank: number, amount: number, truth: TxTruth | null, score: number | null): void {
  c[PAYMENTS + rank]++;
  c[AMOUNT + rank] += amount;
  if (truth === null) c[UNLABELLED]++;
  else if (truth.fraud) {
    c[FRAUD + rank]++;
    c[FRAUD_AMOUNT + rank] += amount;
    if (truth.by !== 'tx') c[BY_ENTITY]++;
  }
  if (score !== null) {
    c[SCORE_SUM] += score;
    c[SCORED]++;
  }
}

/** Adds `from` into `into`: two tallies of disjoint payments merge into the tally of both. */
export function mergeInto(into: Cell, from: Cell): void {
  for (let i = 0; i < SLOTS; i++) into[i] += from[i];
}

/** The cell of `key`, created on first use: how per-code, per-bucket and per-entity breakdowns grow. */
export function cellOf<K>(cells: Map<K, Cell>, key: K): Cell {
  let c = cells.get(key);
  if (c === undefined) {
    c = newCell();
    cells.set(key, c);
  }
  return c;
}

/** a / b, or null when b is 0: the reports' rates are null rather than NaN so they stay JSON. */
export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** What was decided one way (one outcome) and what the labels say of it. */
export interface OutcomeFigures {
  readonly payments: number;
  readonly amount: number;
  /** labelled fraud, and their value. */
  readonly fraud: number;
  readonly fraudAmount: number;
  /** not labelled fraud (unlabelled included: the reports count those legitimate), and their value. */
  readonly legitimate: number;
  readonly legitimateAmount: number;
}

/**
 * A cell read out: every figure a report derives, named once here so "caught" or "flagged" is the
 * same sum in every view. Made when a report is answered, never per payment.
 */
export interface CellFigures {
  readonly payments: number;
  readonly amount: number;
  readonly outcomes: OutcomeCounts;
  /** value per outcome. */
  readonly amounts: OutcomeCounts;
  readonly byOutcome: Readonly<Record<Outcome, OutcomeFigures>>;
  /** labelled fraud, whatever was decided, and its value. */
  readonly fraud: number;
  readonly fraudAmount: number;
  /** not labelled fraud (unlabelled included: counted legitimate), and their value. */
  readonly legitimate: number;
  readonly legitimateAmount: number;
  /** fraud not approved (stopped or stepped up: what recall counts), and its value. */
  readonly caught: number;
  readonly caughtAmount: number;
  /** payments not approved (what an alert rate and precision count), and their value. */
  readonly flagged: number;
  readonly flaggedAmount: number;
  /** payments nothing is known about (inside the legitimate ones). */
  readonly unlabelled: number;
  /** fraud known only through an entity label (account, merchant, terminal), not the payment's own. */
  readonly fraudByEntity: number;
  /** mean score of the payments whose answer carried one; null without. */
  readonly meanScore: number | null;
}

/** Reads a cell out for a view (see CellFigures). */
export function figuresOf(c: Cell): CellFigures {
  const outcomes = {} as OutcomeCounts;
  const amounts = {} as OutcomeCounts;
  const byOutcome = {} as Record<Outcome, OutcomeFigures>;
  let n = 0;
  let value = 0;
  let fraud = 0;
  let fraudAmount = 0;
  for (const o of OUTCOMES) {
    const r = outcomeRank(o);
    outcomes[o] = c[PAYMENTS + r];
    amounts[o] = c[AMOUNT + r];
    byOutcome[o] = {
      payments: c[PAYMENTS + r],
      amount: c[AMOUNT + r],
      fraud: c[FRAUD + r],
      fraudAmount: c[FRAUD_AMOUNT + r],
      legitimate: c[PAYMENTS + r] - c[FRAUD + r],
      legitimateAmount: c[AMOUNT + r] - c[FRAUD_AMOUNT + r],
    };
    n += c[PAYMENTS + r];
    value += c[AMOUNT + r];
    fraud += c[FRAUD + r];
    fraudAmount += c[FRAUD_AMOUNT + r];
  }
  const approved = byOutcome.approve;
  return {
    payments: n,
    amount: value,
    outcomes,
    amounts,
    byOutcome,
    fraud,
    fraudAmount,
    legitimate: n - fraud,
    legitimateAmount: value - fraudAmount,
    caught: fraud - approved.fraud,
    caughtAmount: fraudAmount - approved.fraudAmount,
    flagged: n - approved.payments,
    flaggedAmount: value - approved.amount,
    unlabelled: c[UNLABELLED],
    fraudByEntity: c[BY_ENTITY],
    meanScore: ratio(c[SCORE_SUM], c[SCORED]),
  };
}

/** The flagged payments of one kind, outcome by outcome: the breakdown the backtest and the risk report both answer. */
export interface FlaggedBreakdown {
  readonly declined: number;
  readonly declinedAmount: number;
  readonly challenged: number;
  readonly challengedAmount: number;
  readonly reviewed: number;
  readonly reviewedAmount: number;
}

/** The fraud or the legitimate payments of a cell by flagged outcome, spelt once for the views that answer it. */
export function flaggedBreakdown(f: CellFigures, kind: 'fraud' | 'legitimate'): FlaggedBreakdown {
  const amount = kind === 'fraud' ? 'fraudAmount' : 'legitimateAmount';
  const { review, challenge, decline } = f.byOutcome;
  return {
    declined: decline[kind],
    declinedAmount: decline[amount],
    challenged: challenge[kind],
    challengedAmount: challenge[amount],
    reviewed: review[kind],
    reviewedAmount: review[amount],
  };
}

/** How the payments of a range stand by the labels known now (unlabelled ones count as legitimate). */
export interface LabelCounts {
  /** payments labelled fraud, directly (tx) or through an entity. */
  readonly fraud: number;
  readonly fraudByEntity: number;
  /** payments labelled legitimate, and those with no label. */
  readonly legitimateLabelled: number;
  readonly unlabelled: number;
}

/** The label summary of a cell: what every journal report says about the labels beside its figures. */
export function labelCounts(c: Cell): LabelCounts {
  const f = figuresOf(c);
  return { fraud: f.fraud, fraudByEntity: f.fraudByEntity, legitimateLabelled: f.payments - f.fraud - f.unlabelled, unlabelled: f.unlabelled };
}
