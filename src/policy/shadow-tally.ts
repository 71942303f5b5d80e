/**
 * The running totals of a shadow: every compared payment counted once as it is recorded (outcomes,
 * value, the live → shadow transition matrix, reason hits on both sides), plus what the labels known
 * so far say — kept as a small map of the labelled payments the shadow recorded, so a later label
 * (or a reversed one) moves exactly its payment between fraud and legitimate. `view()` is a plain
 * JSON-serialisable object (no Map, no NaN), the API's answer and what the store saves.
 */
import { OUTCOMES, type Outcome } from '../rules/policy-types.js';
import { emptyTransitions, zeroOutcomes, type OutcomeCounts } from './backtest-report.js';
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
}

interface Labelled extends LabelledRow {
  readonly fraud: boolean;
}

class Side {
  readonly outcomes = zeroOutcomes();
  readonly amounts = zeroOutcomes();
  readonly hits = new Map<string, number>();

  add(outcome: Outcome, amount: number, reasons: readonly string[]): void {
    this.outcomes[outcome]++;
    this.amounts[outcome] += amount;
    for (let i = 0; i < reasons.length; i++) this.hits.set(reasons[i], (this.hits.get(reasons[i]) ?? 0) + 1);
  }

  hitsView(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [code, n] of [...this.hits].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) out[code] = n;
    return out;
  }
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The running totals of one shadow run. */
export class ShadowTally {
  private transactions = 0;
  private changed = 0;
  private readonly live = new Side();
  private readonly shadow = new Side();
  private readonly transitions = emptyTransitions();
  private readonly livePolicies = new Set<string>();
  private lastPolicy = '';
  private newlyDeclined = 0;
  private newlyDeclinedAmount = 0;
  private newlyApproved = 0;
  private newlyApprovedAmount = 0;
  /** Labelled payments the shadow recorded, by txId. */
  private readonly labelled = new Map<string, Labelled>();

  /** Counts one compared payment. */
  add(livePolicy: string, amount: number, live: Outcome, liveReasons: readonly string[], shadow: Outcome, shadowReasons: readonly string[]): void {
    if (livePolicy !== this.lastPolicy) {
      this.livePolicies.add(livePolicy);
      this.lastPolicy = livePolicy;
    }
    this.transactions++;
    this.live.add(live, amount, liveReasons);
    this.shadow.add(shadow, amount, shadowReasons);
    this.transitions[live][shadow]++;
    if (live === shadow) return;
    this.changed++;
    if (shadow === 'decline') {
      this.newlyDeclined++;
      this.newlyDeclinedAmount += amount;
    } else if (shadow === 'approve') {
      this.newlyApproved++;
      this.newlyApprovedAmount += amount;
    }
  }

  /** A label of a recorded payment (a later one for the same payment replaces it). */
  label(txId: string, fraud: boolean, row: LabelledRow): void {
    this.labelled.set(txId, { ...row, fraud });
  }

  /** The totals now. */
  view(): ShadowTotals {
    const n = this.transactions;
    const fraudLive = { caught: 0, caughtAmount: 0, declined: 0, declinedAmount: 0, missed: 0, missedAmount: 0 };
    const fraudShadow = { ...fraudLive };
    let fraud = 0;
    let newlyDeclinedFraud = 0;
    let newlyApprovedFraud = 0;
    for (const l of this.labelled.values()) {
      if (!l.fraud) continue;
      fraud++;
      count(fraudLive, l.live, l.amount);
      count(fraudShadow, l.shadow, l.amount);
      if (l.shadow === 'decline' && l.live !== 'decline') newlyDeclinedFraud += l.amount;
      if (l.shadow === 'approve' && l.live !== 'approve') newlyApprovedFraud += l.amount;
    }
    const money = (s: Side, f: FraudSide): MoneySide => {
      const flagged = s.amounts.review + s.amounts.challenge + s.amounts.decline;
      return {
        legitimateDeclined: s.amounts.decline - f.declinedAmount,
        legitimateFlagged: flagged - f.caughtAmount,
        fraudStopped: f.caughtAmount,
        fraudMissed: f.missedAmount,
      };
    };
    return {
      transactions: n,
      changed: this.changed,
      agreementRate: ratio(n - this.changed, n),
      livePolicies: [...this.livePolicies].sort(),
      outcomes: { live: { ...this.live.outcomes }, shadow: { ...this.shadow.outcomes } },
      amounts: { live: { ...this.live.amounts }, shadow: { ...this.shadow.amounts } },
      transitions: copyTransitions(this.transitions),
      alertRate: { live: ratio(n - this.live.outcomes.approve, n), shadow: ratio(n - this.shadow.outcomes.approve, n) },
      declineRate: { live: ratio(this.live.outcomes.decline, n), shadow: ratio(this.shadow.outcomes.decline, n) },
      hits: { live: this.live.hitsView(), shadow: this.shadow.hitsView() },
      newlyDeclined: {
        count: this.newlyDeclined,
        amount: this.newlyDeclinedAmount,
        fraudAmount: newlyDeclinedFraud,
        legitimateAmount: this.newlyDeclinedAmount - newlyDeclinedFraud,
      },
      newlyApproved: { count: this.newlyApproved, amount: this.newlyApprovedAmount, fraudAmount: newlyApprovedFraud },
      labels: { labelled: this.labelled.size, fraud, legitimate: this.labelled.size - fraud },
      fraud: { live: fraudLive, shadow: fraudShadow },
      money: { live: money(this.live, fraudLive), shadow: money(this.shadow, fraudShadow) },
    };
  }
}

function count(f: { caught: number; caughtAmount: number; declined: number; declinedAmount: number; missed: number; missedAmount: number }, o: Outcome, amount: number): void {
  if (o === 'approve') {
    f.missed++;
    f.missedAmount += amount;
    return;
  }
  f.caught++;
  f.caughtAmount += amount;
  if (o === 'decline') {
    f.declined++;
    f.declinedAmount += amount;
  }
}

function copyTransitions(m: Record<Outcome, OutcomeCounts>): Record<Outcome, OutcomeCounts> {
  const out = emptyTransitions();
  for (const a of OUTCOMES) out[a] = { ...m[a] };
  return out;
}
