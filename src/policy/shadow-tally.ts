/**
 * The running totals of a shadow: every compared payment counted once as it is recorded (outcomes,
 * value, the live → shadow transition matrix, reason hits on both sides) by the shared tally
 * (eval/tally.ts), plus what the labels known so far say — kept as a small map of the labelled
 * payments the shadow recorded, so a later label (or a reversed one) moves exactly its payment
 * between fraud and legitimate. `view()` is a plain JSON-serialisable object (no Map, no NaN), the
 * API's answer and what the store saves; its layout is unchanged by the shared tally.
 */
import { figuresOf, ratio, type Cell, type CellFigures, type OutcomeCounts } from '../eval/cell.js';
import { NO_CODES, Tally } from '../eval/tally.js';
import { Transitions } from '../eval/transitions.js';
import { OWN_FRAUD, OWN_LEGITIMATE } from '../eval/truth.js';
import type { DecisionAction } from '../engine/rule-actions.js';
import type { Outcome } from '../rules/policy-types.js';
import type { LabelledRow } from './shadow-types.js';

/** Fraud (by the labels known) and what one side did with it. */
export interface FraudSide {
  /** fraud payments not approved, and their value. */
  readonly caught: number;
  readonly caughtAmount: number;
  /** fraud payments declined, and their value. */
  readonly declined: number;
  readonly declinedAmount: number;
  /** fraud payments approved, and their value. */
  readonly missed: number;
  readonly missedAmount: number;
}

/** Money one side moves, in minor units (fen). */
export interface MoneySide {
  /** value of payments not labelled fraud that this side declines. */
  readonly legitimateDeclined: number;
  /** value of payments not labelled fraud that this side does not approve. */
  readonly legitimateFlagged: number;
  /** value of fraud-labelled payments this side does not approve (stops or steps up). */
  readonly fraudStopped: number;
  /** value of fraud-labelled payments this side approves. */
  readonly fraudMissed: number;
}

/** Everything a shadow reports about the payments it compared. */
export interface ShadowTotals {
  /** payments compared, and those whose outcome differs. */
  readonly transactions: number;
  readonly changed: number;
  /** share of payments with the same outcome on both sides; null before the first. */
  readonly agreementRate: number | null;
  /** live policies seen on the compared decisions (live may change while a shadow runs). */
  readonly livePolicies: readonly string[];
  readonly outcomes: { readonly live: OutcomeCounts; readonly shadow: OutcomeCounts };
  /** payment value per outcome. */
  readonly amounts: { readonly live: OutcomeCounts; readonly shadow: OutcomeCounts };
  /** transitions[live][shadow]: payments per pair of outcomes; the diagonal agrees. */
  readonly transitions: Readonly<Record<Outcome, OutcomeCounts>>;
  /** share of payments not approved, and declined; null before the first. */
  readonly alertRate: { readonly live: number | null; readonly shadow: number | null };
  readonly declineRate: { readonly live: number | null; readonly shadow: number | null };
  /** payments per reason code, most frequent first. */
  readonly hits: { readonly live: Readonly<Record<string, number>>; readonly shadow: Readonly<Record<string, number>> };
  /** Payments the shadow declines and live did not: how many, their value, and how much of it is fraud by the labels known. */
  readonly newlyDeclined: { readonly count: number; readonly amount: number; readonly fraudAmount: number; readonly legitimateAmount: number };
  /** Payments the shadow approves and live did not. */
  readonly newlyApproved: { readonly count: number; readonly amount: number; readonly fraudAmount: number };
  /**
   * Labels of compared payments that arrived while the shadow ran (the payment's own label, latest
   * winning; unlabelled payments count as legitimate).
   */
  readonly labels: { readonly labelled: number; readonly fraud: number; readonly legitimate: number };
  readonly fraud: { readonly live: FraudSide; readonly shadow: FraudSide };
  readonly money: { readonly live: MoneySide; readonly shadow: MoneySide };
  /**
   * The actions the shadow's rules would have taken (`action freeze_account` …), never taken: per
   * rule and action, how many and how many past a cap — what a backtest reports as `ruleActions`.
   * Taken only in the shadow's own memory, so its later decisions see them as live's would.
   */
  readonly actions: readonly ShadowActionCount[];
}

/** One rule's action in a shadow's totals. */
export interface ShadowActionCount {
  readonly rule: string;
  readonly action: string;
  readonly taken: number;
  readonly capped: number;
}

interface Labelled extends LabelledRow {
  readonly fraud: boolean;
}

/**
 * The running totals of one shadow run: live and shadow are tallied as each payment is recorded,
 * unlabelled; labels arrive later and may be reversed, so the labelled payments are kept apart and
 * tallied afresh, through the same `add`, at each view.
 */
export class ShadowTally {
  private readonly live = new Tally();
  private readonly shadow = new Tally();
  private readonly transitions = new Transitions();
  /** Labelled payments the shadow recorded, by txId. */
  private readonly labelled = new Map<string, Labelled>();
  /** The shadow's rule actions by `rule action`. */
  private readonly actions = new Map<string, { rule: string; action: string; taken: number; capped: number }>();

  /** Counts one compared payment, and the actions the shadow's decision names. */
  add(livePolicy: string, amount: number, live: Outcome, liveReasons: readonly string[], shadow: Outcome, shadowReasons: readonly string[], shadowActions?: readonly DecisionAction[]): void {
    this.live.add(livePolicy, live, null, liveReasons, amount, null);
    this.shadow.add('', shadow, null, shadowReasons, amount, null);
    this.transitions.add(live, shadow, amount, null);
    if (shadowActions === undefined) return;
    for (const a of shadowActions) {
      const key = `${a.rule} ${a.action}`;
      let c = this.actions.get(key);
      if (c === undefined) this.actions.set(key, (c = { rule: a.rule, action: a.action, taken: 0, capped: 0 }));
      if (a.capped === true) c.capped++;
      else c.taken++;
    }
  }

  /** A label of a recorded payment (a later one for the same payment replaces it). */
  label(txId: string, fraud: boolean, row: LabelledRow): void {
    this.labelled.set(txId, { ...row, fraud });
  }

  /** The totals now. */
  view(): ShadowTotals {
    const live = figuresOf(this.live.total);
    const shadow = figuresOf(this.shadow.total);
    const n = live.payments;
    const changed = this.transitions.changed();
    const known = this.known();
    const declined = figuresOf(this.transitions.movedTo('decline'));
    const approved = figuresOf(this.transitions.movedTo('approve'));
    const declinedFraud = figuresOf(known.moves.movedTo('decline')).fraudAmount;
    const labels = figuresOf(known.live);
    const knownLive = fraudSide(known.live);
    const knownShadow = fraudSide(known.shadow);
    return {
      transactions: n,
      changed,
      agreementRate: ratio(n - changed, n),
      livePolicies: [...this.live.policies].sort(),
      outcomes: { live: live.outcomes, shadow: shadow.outcomes },
      amounts: { live: live.amounts, shadow: shadow.amounts },
      transitions: this.transitions.matrix(),
      alertRate: { live: ratio(live.flagged, n), shadow: ratio(shadow.flagged, n) },
      declineRate: { live: ratio(live.byOutcome.decline.payments, n), shadow: ratio(shadow.byOutcome.decline.payments, n) },
      hits: { live: this.live.hits(), shadow: this.shadow.hits() },
      newlyDeclined: { count: declined.payments, amount: declined.amount, fraudAmount: declinedFraud, legitimateAmount: declined.amount - declinedFraud },
      newlyApproved: { count: approved.payments, amount: approved.amount, fraudAmount: figuresOf(known.moves.movedTo('approve')).fraudAmount },
      labels: { labelled: labels.payments, fraud: labels.fraud, legitimate: labels.payments - labels.fraud },
      fraud: { live: knownLive, shadow: knownShadow },
      money: { live: money(live, knownLive), shadow: money(shadow, knownShadow) },
      actions: [...this.actions.values()].map((c) => ({ ...c })).sort((a, b) => b.taken + b.capped - (a.taken + a.capped) || a.rule.localeCompare(b.rule)),
    };
  }

  /** The labelled payments, tallied as the recorded ones are: each side, and the moves between them. */
  private known(): { live: Cell; shadow: Cell; moves: Transitions } {
    const live = new Tally();
    const shadow = new Tally();
    const moves = new Transitions();
    for (const l of this.labelled.values()) {
      const truth = l.fraud ? OWN_FRAUD : OWN_LEGITIMATE;
      live.add('', l.live, null, NO_CODES, l.amount, truth);
      shadow.add('', l.shadow, null, NO_CODES, l.amount, truth);
      moves.add(l.live, l.shadow, l.amount, truth);
    }
    return { live: live.total, shadow: shadow.total, moves };
  }
}

/** What one side did with the fraud among the labelled payments. */
function fraudSide(known: Cell): FraudSide {
  const f = figuresOf(known);
  const { approve, decline } = f.byOutcome;
  return {
    caught: f.caught,
    caughtAmount: f.caughtAmount,
    declined: decline.fraud,
    declinedAmount: decline.fraudAmount,
    missed: approve.fraud,
    missedAmount: approve.fraudAmount,
  };
}

/** The money one side moves: all its recorded payments, less the labelled fraud among them. */
function money(all: CellFigures, fraud: FraudSide): MoneySide {
  return {
    legitimateDeclined: all.amounts.decline - fraud.declinedAmount,
    legitimateFlagged: all.flaggedAmount - fraud.caughtAmount,
    fraudStopped: fraud.caughtAmount,
    fraudMissed: fraud.missedAmount,
  };
}
