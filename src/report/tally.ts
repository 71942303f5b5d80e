/**
 * The risk report's figures, read off the shared tally (eval/tally.ts, eval/cell.ts): a period's
 * (or a time bucket's) totals, and the riskiest merchants or terminals. Counting happens there,
 * allocation-free; these views only turn cells into the report's plain shapes.
 */
import { figuresOf, flaggedBreakdown, ratio, type Cell, type CellFigures, type FlaggedBreakdown, type OutcomeCounts } from '../eval/cell.js';

/** Fraud payments (by the labels known now) and what was decided on them (declined, challenged, reviewed). */
export interface FraudFigures extends FlaggedBreakdown {
  readonly total: number;
  readonly totalAmount: number;
  /** not approved: declined, challenged or reviewed. */
  readonly caught: number;
  readonly caughtAmount: number;
  /** approved. */
  readonly missed: number;
  readonly missedAmount: number;
}

/** Payments not labelled fraud (unlabelled included) and what was decided on them. */
export interface LegitimateFigures extends FlaggedBreakdown {
  readonly total: number;
  readonly totalAmount: number;
  /** inside total: nothing is known about them. */
  readonly unlabelled: number;
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

/** A period's (or a bucket's) figures in the report's shape, from the cell its payments were counted in. */
export function periodFigures(c: Cell): PeriodFigures {
  const f = figuresOf(c);
  const { approve, challenge, decline } = f.byOutcome;
  return {
    payments: f.payments,
    amount: f.amount,
    outcomes: f.outcomes,
    amounts: f.amounts,
    alertRate: ratio(f.flagged, f.payments),
    declineRate: ratio(decline.payments, f.payments),
    meanScore: f.meanScore,
    fraud: {
      total: f.fraud,
      totalAmount: f.fraudAmount,
      caught: f.caught,
      caughtAmount: f.caughtAmount,
      missed: approve.fraud,
      missedAmount: approve.fraudAmount,
      ...flaggedBreakdown(f, 'fraud'),
    },
    legitimate: { total: f.legitimate, totalAmount: f.legitimateAmount, unlabelled: f.unlabelled, ...flaggedBreakdown(f, 'legitimate') },
    moneySaved: decline.fraudAmount + challenge.fraudAmount,
    legitimateDeclinedAmount: decline.legitimateAmount,
    precision: ratio(f.caught, f.flagged),
    recall: ratio(f.caught, f.fraud),
  };
}

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

/** The top `n` entities of one kind both ways, from the cells their payments were counted in (by entity id). */
export function topEntities(cells: ReadonlyMap<string, Cell>, n: number, minPayments: number): TopEntities {
  const rows: EntityFigures[] = [];
  for (const [id, c] of cells) {
    const f = figuresOf(c);
    if (f.fraud > 0 || f.flagged > 0) rows.push(entityFigures(id, f));
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
  return { seen: cells.size, byFraudAmount, byFlaggedShare, minPayments };
}

function entityFigures(id: string, f: CellFigures): EntityFigures {
  return {
    id,
    payments: f.payments,
    amount: f.amount,
    flagged: f.flagged,
    flaggedAmount: f.flaggedAmount,
    flaggedShare: f.flagged / f.payments,
    declined: f.byOutcome.decline.payments,
    fraud: f.fraud,
    fraudAmount: f.fraudAmount,
  };
}
