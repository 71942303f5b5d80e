/**
 * Label-aware terminal features for the Handbook benchmark, kept apart from the engine on purpose:
 * the engine's own label-aware builtins (terminal_fraud_rate_*) count fraud among the last N days
 * of payments, which under the book's 7-day feedback delay leaves the 1- and 7-day windows always
 * empty. This helper adds the book's delayed windows, how recently fraud was confirmed at the
 * terminal, and whether its latest *mature* payments (old enough that a fraud would have been
 * reported: the book's 7-day delay) were fraud — a compromised terminal keeps being compromised
 * for a while. It is replaceable by engine builtins once they cover the same ground.
 *
 * Leakage rule: a label counts only once its own time has passed (label ts ≤ payment ts), because
 * `onLabel` is called in event order, before any later payment is decided; `features` reads only
 * what was folded in before the payment, and the payment itself is folded in after.
 */
import type { LabelEvent, TransactionEvent } from '../../src/contract/events.js';

const DAY = 86_400_000;
const ZONE_MS = 8 * 3_600_000;
/** Days of history per terminal: the longest window (7 + 30) plus margin, a power of two for the ring. */
const RING = 64;
/** How long a payment stays attributable to a label on its txId. */
const LOOKBACK_MS = 45 * DAY;

/** Age after which a payment without a fraud label is taken as legitimate (the book's feedback delay). */
const MATURITY_MS = 7 * DAY;
/** How long a terminal's payments are kept for the mature-payment features. */
const RECENT_MS = 40 * DAY;

/** A payment as the helper remembers it; `fraud` turns true when its label arrives. */
interface PaymentRef {
  readonly t: number;
  fraud: boolean;
}

/** Local day number of an event time (days since the epoch, +08:00). */
const dayOf = (t: number): number => Math.floor((t + ZONE_MS) / DAY);

interface TerminalState {
  /** per ring slot: the day it holds, payments that day, payments of that day known to be fraud. */
  readonly day: Int32Array;
  readonly tx: Float64Array;
  readonly fraud: Float64Array;
  /** payment time of the latest known fraud, label time of the latest fraud label. */
  lastFraudTx: number;
  lastLabel: number;
  /** payment times of known frauds, in the order their labels came (≈ payment order), pruned to EPISODE_MS. */
  readonly fraudTimes: number[];
  /** the terminal's payments of the last RECENT_MS, in time order. */
  readonly recent: PaymentRef[];
}

/** How far back the start of a terminal's current fraud episode is looked for. */
const EPISODE_MS = 35 * DAY;

/** Feature names, in the order `features` writes them. */
export const KNOWN_FRAUD_FEATURES = [
  // the book's TERMINAL_ID_RISK_{1,7,30}DAY_WINDOW: fraud share of the days [D−7−w, D−7)
  'terminal_risk_delayed_1d',
  'terminal_risk_delayed_7d',
  'terminal_risk_delayed_30d',
  // known fraud share and count over the last 14 / 30 complete days (the delay period included)
  'terminal_known_fraud_rate_14d',
  'terminal_known_fraud_rate_30d',
  'terminal_known_fraud_30d',
  // recency: days since the latest known fraud payment and since the latest fraud label
  'terminal_days_since_known_fraud',
  'terminal_days_since_fraud_label',
  // how long ago the terminal's current run of known fraud began (earliest known fraud payment of
  // the last 35 days): a compromise lasts a while, then ends
  'terminal_days_since_first_known_fraud',
  // the latest mature payments: was the latest fraud, how many in a row were, since when
  'terminal_latest_mature_fraud',
  'terminal_mature_fraud_streak',
  'terminal_days_since_streak_start',
] as const;

/** Payments and confirmed fraud per terminal, by day, as known at each moment of a replay. */
export class KnownFraudByTerminal {
  private readonly terminals = new Map<string, TerminalState>();
  private readonly payments = new Map<string, { terminal: TerminalState; ref: PaymentRef }>();
  private nextPrune = -Infinity;

  private state(id: string): TerminalState {
    let s = this.terminals.get(id);
    if (s === undefined) {
      s = { day: new Int32Array(RING).fill(-1), tx: new Float64Array(RING), fraud: new Float64Array(RING), lastFraudTx: NaN, lastLabel: NaN, fraudTimes: [], recent: [] };
      this.terminals.set(id, s);
    }
    return s;
  }

  /** Folds in a label at its own time. */
  onLabel(e: LabelEvent): void {
    if (e.txId === undefined) return;
    const entry = this.payments.get(e.txId);
    if (entry === undefined || entry.ref.fraud === e.fraud) return;
    const p = entry.ref;
    p.fraud = e.fraud;
    const s = entry.terminal;
    const d = dayOf(p.t);
    const slot = d & (RING - 1);
    if (s.day[slot] === d) s.fraud[slot] += e.fraud ? 1 : -1;
    if (e.fraud) {
      if (!(p.t <= s.lastFraudTx)) s.lastFraudTx = p.t;
      s.lastLabel = e.t;
      s.fraudTimes.push(p.t);
    }
  }

  /** Sums of payments and known frauds over local days [from, to). */
  private sums(s: TerminalState, from: number, to: number): [number, number] {
    let tx = 0;
    let fraud = 0;
    for (let d = from; d < to; d++) {
      const slot = d & (RING - 1);
      if (s.day[slot] !== d) continue;
      tx += s.tx[slot];
      fraud += s.fraud[slot];
    }
    return [tx, fraud];
  }

  /** Writes the features of `tx` (from what is known before it) into out[offset …]. */
  features(tx: TransactionEvent, out: Float64Array, offset: number): void {
    const s = this.terminals.get(tx.terminalId);
    if (s === undefined) {
      for (let i = 0; i < KNOWN_FRAUD_FEATURES.length; i++) out[offset + i] = i === 5 || i === 10 ? 0 : NaN;
      return;
    }
    const today = dayOf(tx.t);
    const rate = (a: [number, number]): number => (a[0] > 0 ? a[1] / a[0] : NaN);
    out[offset] = rate(this.sums(s, today - 8, today - 7));
    out[offset + 1] = rate(this.sums(s, today - 14, today - 7));
    out[offset + 2] = rate(this.sums(s, today - 37, today - 7));
    out[offset + 3] = rate(this.sums(s, today - 14, today));
    const m30 = this.sums(s, today - 30, today);
    out[offset + 4] = rate(m30);
    out[offset + 5] = m30[1];
    out[offset + 6] = (tx.t - s.lastFraudTx) / DAY;
    out[offset + 7] = (tx.t - s.lastLabel) / DAY;
    const times = s.fraudTimes;
    while (times.length > 0 && times[0] <= tx.t - EPISODE_MS) times.shift();
    let first = Infinity;
    for (const ft of times) if (ft < first) first = ft;
    out[offset + 8] = times.length > 0 ? (tx.t - first) / DAY : NaN;
    const recent = s.recent;
    let i = recent.length - 1;
    while (i >= 0 && recent[i].t > tx.t - MATURITY_MS) i--;
    let streak = 0;
    while (i - streak >= 0 && recent[i - streak].fraud) streak++;
    out[offset + 9] = i < 0 ? NaN : recent[i].fraud ? 1 : 0;
    out[offset + 10] = streak;
    out[offset + 11] = streak > 0 ? (tx.t - recent[i - streak + 1].t) / DAY : NaN;
  }

  /** Counts the payment at its terminal, after it was decided. */
  onTransaction(tx: TransactionEvent): void {
    const s = this.state(tx.terminalId);
    const d = dayOf(tx.t);
    const slot = d & (RING - 1);
    if (s.day[slot] !== d) {
      s.day[slot] = d;
      s.tx[slot] = 0;
      s.fraud[slot] = 0;
    }
    s.tx[slot]++;
    const ref: PaymentRef = { t: tx.t, fraud: false };
    s.recent.push(ref);
    while (s.recent[0].t <= tx.t - RECENT_MS) s.recent.shift();
    this.payments.set(tx.id, { terminal: s, ref });
    // payments arrive in time order, so the oldest are first in the map; pruning once a day keeps
    // iteration from walking over the holes that deleted entries leave until the map rehashes
    if (tx.t < this.nextPrune) return;
    this.nextPrune = tx.t + DAY;
    for (const [id, p] of this.payments) {
      if (p.ref.t > tx.t - LOOKBACK_MS) break;
      this.payments.delete(id);
    }
  }
}
