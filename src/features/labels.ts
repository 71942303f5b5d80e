/**
 * What confirmed fraud has taught the engine so far, for label-aware features: per terminal and per
 * merchant, how many payments of the last 1, 7, 14 and 30 days (by payment time) are known to be
 * fraud, next to how many payments there were, and the same per day over 40 days; and whether an
 * account, merchant or terminal itself has been labelled. A label counts from its own `ts` on — it is folded in when the label event is applied —
 * so replay and live traffic see exactly what was known at each moment, never later knowledge. A
 * late payment (its `ts` before a label already applied) is judged by the labels known at its own
 * time too: the labels of the last LATE_LABEL_MS are kept with what they changed, and a read for an
 * earlier time takes back what came after it.
 */
import type { LabelEvent, TransactionEvent } from '../contract/events.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import { KeyedWindows, STRING_OWNERS } from './keyed-windows.js';
import { PaymentIndex } from './payment-index.js';
import { WindowLayout } from './window-layout.js';

const DAY = 86_400_000;
/** How long a payment stays findable by a label on its txId: the longest window it can count in. */
export const LABEL_LOOKBACK_MS = 30 * DAY;
const SWEEP_EVERY_MS = DAY;
/**
 * Payments past LABEL_LOOKBACK_MS forgotten per event: more than the one each event can add, so the
 * index keeps to the lookback. Forgetting a day's payments at the daily sweep instead held the thread
 * ~0.2 s per million payments a day (212 ns each, a million forgotten in one call).
 */
const FORGET_PER_EVENT = 16;
/**
 * How long a label is kept with what it changed, for payments arriving late (ts before the label's):
 * a payment later than this behind the stream's clock sees the labels of the time it arrives.
 */
export const LATE_LABEL_MS = 7 * DAY;

/** What one label changed, kept LATE_LABEL_MS so a late payment can be judged without it. */
interface RecentLabel {
  /** The label's ts. */
  readonly t: number;
  /** 0: a payment's label; 1: an account's, 2: a merchant's, 3: a terminal's. */
  readonly kind: 0 | 1 | 2 | 3;
  /** The entity labelled; for a payment's label, the payer's account. */
  readonly id: string;
  /** The entity's flag before the label; for a payment's label, whether the account had a fraud payment before. */
  readonly prev: boolean | undefined;
  /** A payment's label: its terminal and merchant states, payment time and what it added to their fraud counts (±1). */
  readonly terminal: number;
  readonly merchant: number;
  readonly paymentT: number;
  readonly delta: number;
}

/**
 * The windows of each terminal and merchant, by payment time: payments (count), known-fraud payments
 * (a sum of ±1, so a later "not fraud after all" label can take one back), the payment time of the
 * latest known fraud (a max; a retracted label does not lower it), and both counts again per 24-hour
 * bucket over HISTORY_DAYS, read bucket by bucket for the mature-day builtins (label-features.ts).
 */
const W = { tx1: 0, tx7: 1, tx14: 2, tx30: 3, fraud1: 4, fraud7: 5, fraud14: 6, fraud30: 7, lastFraud: 8, txDays: 9, fraudDays: 10 } as const;
const BUCKETS: Record<number, number> = { 1: 4, 7: 7, 14: 7, 30: 10 };
/** The windows a payment's fraud label adds to (±1). */
const FRAUD_WINDOWS = [W.fraud1, W.fraud7, W.fraud14, W.fraud30, W.fraudDays] as const;
/**
 * Days of per-day history kept per terminal and merchant (payments, known frauds, by payment day):
 * the delay before a day counts as mature (MATURE_MS) plus a month of mature days and a margin.
 */
export const HISTORY_DAYS = 40;
const SPECS = [
  ...[1, 7, 14, 30].map((d) => ({ agg: 'count' as const, lengthMs: d * DAY, buckets: BUCKETS[d] })),
  ...[1, 7, 14, 30].map((d) => ({ agg: 'sum' as const, lengthMs: d * DAY, buckets: BUCKETS[d] })),
  { agg: 'max' as const, lengthMs: 30 * DAY, buckets: 10 },
  { agg: 'count' as const, lengthMs: HISTORY_DAYS * DAY, buckets: HISTORY_DAYS },
  { agg: 'sum' as const, lengthMs: HISTORY_DAYS * DAY, buckets: HISTORY_DAYS },
];

/**
 * A terminal's or merchant's payments and known frauds per 24-hour bucket (UTC days), newest first:
 * index 0 is the bucket of the payment being decided. Filled by LabelKnowledge.read.
 */
export interface DayHistory {
  readonly tx: Float64Array;
  readonly fraud: Float64Array;
  /** the bucket number of index 0 (floor(t / day)). */
  today: number;
}

/** An empty day history, to be filled by LabelKnowledge.read. */
export function emptyDays(): DayHistory {
  return { tx: new Float64Array(HISTORY_DAYS), fraud: new Float64Array(HISTORY_DAYS), today: 0 };
}

/** Known fraud at one key over 1/7/14/30 days by payment time, as counts, and the latest known fraud. */
export interface FraudCounts {
  tx1: number;
  tx7: number;
  tx14: number;
  tx30: number;
  fraud1: number;
  fraud7: number;
  fraud14: number;
  fraud30: number;
  /** payment time of the latest known-fraud payment within 30 days; NaN when none. */
  lastFraudT: number;
}

/** Empty counts, to be filled by LabelKnowledge.read. */
export function emptyCounts(): FraudCounts {
  return { tx1: 0, tx7: 0, tx14: 0, tx30: 0, fraud1: 0, fraud7: 0, fraud14: 0, fraud30: 0, lastFraudT: NaN };
}

/**
 * What labels told the engine, as modules above it see it: the one "account labelled fraud", the
 * latest merchant and terminal flags, how many payments are findable. No way to change it (labels
 * arrive as events).
 */
export interface LabelView {
  accountFraud(accountId: string): boolean;
  readonly merchantFlags: ReadonlyMap<string, boolean>;
  readonly terminalFlags: ReadonlyMap<string, boolean>;
  readonly payments: { readonly size: number };
}

/** Label-aware state of the engine. */
export class LabelKnowledge implements LabelView {
  private readonly layout = new WindowLayout(SPECS);
  private readonly forgetDropped = (key: unknown, state: number): void => {
    if (!this.terminals.forgetIf(key, state)) this.merchants.forgetIf(key, state);
  };
  private readonly terminals = new KeyedWindows(this.layout);
  private readonly merchants = new KeyedWindows(this.layout);
  /**
   * Payments findable by txId so a label naming one can be attributed. The terminal and merchant are
   * held as window handles, valid while the payment is inside the lookback (the payment itself keeps
   * them from expiring). About 60 bytes a payment for LABEL_LOOKBACK_MS.
   */
  readonly payments = new PaymentIndex();
  /** entities labelled fraud (true) or cleared (false), latest label wins. */
  readonly accounts = new Map<string, boolean>();
  readonly merchantFlags = new Map<string, boolean>();
  readonly terminalFlags = new Map<string, boolean>();
  /** accounts with at least one payment confirmed as fraud. */
  readonly accountsWithFraud = new Set<string>();
  private nextSweep = -Infinity;
  /** Labels of the last LATE_LABEL_MS, in label time order (see RecentLabel). */
  private recent: RecentLabel[] = [];
  /** The latest label time in `recent` (-Infinity: none): a payment at or after it needs no taking back. */
  private newest = -Infinity;

  /**
   * True when the account, or one of its payments, is labelled fraud by now: the one definition of
   * "account labelled fraud", read by the builtin, the credit rating and case evidence alike.
   */
  accountFraud(accountId: string): boolean {
    return this.accounts.get(accountId) === true || this.accountsWithFraud.has(accountId);
  }

  /** accountFraud as known at `t`: labels after `t` taken back (a late payment's view). */
  accountFraudAt(accountId: string, t: number): boolean {
    return this.knownAt(1, accountId, t) || this.knownAt(0, accountId, t);
  }

  /** Whether the merchant (kind 2) or terminal (kind 3) itself was labelled fraud as known at `t`. */
  flagAt(kind: 2 | 3, id: string, t: number): boolean {
    return this.knownAt(kind, id, t);
  }

  /** The flags of accounts (1), merchants (2) or terminals (3) labelled themselves. */
  private flagsOf(kind: 1 | 2 | 3): Map<string, boolean> {
    return kind === 1 ? this.accounts : kind === 2 ? this.merchantFlags : this.terminalFlags;
  }

  /**
   * What labels of `kind` (see RecentLabel) say of `id` as known at `t`: the value now, with the
   * labels after `t` taken back — the earliest of them holds the value before it.
   */
  private knownAt(kind: RecentLabel['kind'], id: string, t: number): boolean {
    let v = kind === 0 ? this.accountsWithFraud.has(id) : this.flagsOf(kind).get(id) === true;
    if (t >= this.newest) return v;
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i].t > t; i--) {
      const r = this.recent[i];
      if (r.kind === kind && r.id === id) v = r.prev === true;
    }
    return v;
  }

  /**
   * @param indexPayments keep each payment findable by txId for LABEL_LOOKBACK_MS, so txId labels can
   * be attributed (off only where labels never name payments, e.g. memory benchmarks of windows alone).
   */
  constructor(private readonly indexPayments = true) {}

  /** Handles of the payment being decided, found once by `read` and reused by `applyPayment`. */
  private terminal = -1;
  private merchant = -1;

  /**
   * Reads what is known at `tx.t` about the payment's terminal and merchant into `t` and `m`, and
   * keeps their states for `applyPayment` (one map lookup each per payment).
   */
  read(terminalId: string, merchantId: string, now: number, t: FraudCounts, m: FraudCounts, td: DayHistory, md: DayHistory): void {
    this.terminal = this.terminals.getOrCreate(terminalId);
    this.merchant = this.merchants.getOrCreate(merchantId);
    this.readInto(this.terminal, now, t, td);
    this.readInto(this.merchant, now, m, md);
    if (now < this.newest) this.takeBack(now, t, m, td, md);
  }

  /** Takes the fraud counts of labels later than `now` back out of the counts and days read (a late payment's read). */
  private takeBack(now: number, t: FraudCounts, m: FraudCounts, td: DayHistory, md: DayHistory): void {
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i].t > now; i--) {
      const r = this.recent[i];
      if (r.kind !== 0 || r.paymentT > now) continue;
      if (r.terminal === this.terminal) untake(t, td, r, now);
      if (r.merchant === this.merchant) untake(m, md, r, now);
    }
  }

  private readInto(s: number, now: number, out: FraudCounts, days: DayHistory): void {
    const l = this.layout;
    l.readBuckets(s, W.txDays, now, days.tx);
    l.readBuckets(s, W.fraudDays, now, days.fraud);
    days.today = Math.floor(now / DAY);
    out.tx1 = l.read(s, W.tx1, now);
    out.tx7 = l.read(s, W.tx7, now);
    out.tx14 = l.read(s, W.tx14, now);
    out.tx30 = l.read(s, W.tx30, now);
    out.fraud1 = l.read(s, W.fraud1, now);
    out.fraud7 = l.read(s, W.fraud7, now);
    out.fraud14 = l.read(s, W.fraud14, now);
    out.fraud30 = l.read(s, W.fraud30, now);
    out.lastFraudT = l.read(s, W.lastFraud, now);
  }

  /**
   * Counts the payment just read (see `read`) at its terminal and merchant, and keeps it findable by
   * txId; `account` is the account's own copy of its id.
   */
  applyPayment(tx: TransactionEvent, account: string): void {
    const t = tx.t;
    const l = this.layout;
    const terminal = this.terminal;
    const merchant = this.merchant;
    for (let i = W.tx1; i <= W.tx30; i++) {
      l.add(terminal, i, t, 1);
      l.add(merchant, i, t, 1);
    }
    l.add(terminal, W.txDays, t, 1);
    l.add(merchant, W.txDays, t, 1);
    if (this.indexPayments) this.payments.add(tx.id, account, t, terminal, merchant);
  }

  /**
   * Counts a payment another partition of a cluster decided (engine/shared-effects.ts): `read`
   * without the read, then `applyPayment`, so labels about it reach its terminal and merchant here too.
   */
  applyPaymentDecidedElsewhere(tx: TransactionEvent, account: string): void {
    this.terminal = this.terminals.getOrCreate(tx.terminalId);
    this.merchant = this.merchants.getOrCreate(tx.merchantId);
    this.applyPayment(tx, account);
  }

  /**
   * Marks payment `txId` reversed; false when it was already (a repeated reversal — a 0401, an
   * advice sent again — must undo nothing twice). A payment the index no longer holds cannot be
   * told: true.
   */
  markReversed(txId: string): boolean {
    const ix = this.payments;
    const p = ix.find(txId);
    if (p < 0) return true;
    if (ix.isReversed(p)) return false;
    ix.setReversed(p);
    return true;
  }

  /** Folds a label in at its own time, keeping what it changed for late payments (see RecentLabel). */
  applyLabel(e: LabelEvent): void {
    if (e.txId !== undefined) {
      const ix = this.payments;
      const p = ix.find(e.txId);
      if (p < 0 || ix.isFraud(p) === e.fraud) return;
      ix.setFraud(p, e.fraud);
      const delta = e.fraud ? 1 : -1;
      const t = ix.time(p);
      for (const i of FRAUD_WINDOWS) {
        this.layout.add(ix.terminal(p), i, t, delta);
        this.layout.add(ix.merchant(p), i, t, delta);
      }
      if (e.fraud) {
        this.layout.add(ix.terminal(p), W.lastFraud, t, t);
        this.layout.add(ix.merchant(p), W.lastFraud, t, t);
      }
      const account = ix.account(p);
      this.remember({ t: e.t, kind: 0, id: account, prev: this.accountsWithFraud.has(account), terminal: ix.terminal(p), merchant: ix.merchant(p), paymentT: t, delta });
      if (e.fraud) this.accountsWithFraud.add(account);
      return;
    }
    const kind = e.accountId !== undefined ? 1 : e.merchantId !== undefined ? 2 : e.terminalId !== undefined ? 3 : null;
    if (kind === null) return; // the contract names exactly one of them
    const id = (e.accountId ?? e.merchantId ?? e.terminalId) as string;
    const flags = this.flagsOf(kind);
    this.remember({ t: e.t, kind, id, prev: flags.get(id), terminal: -1, merchant: -1, paymentT: NaN, delta: 0 });
    flags.set(id, e.fraud);
  }

  /** Keeps `r` in label-time order (a label is late far less often than not: appended). */
  private remember(r: RecentLabel): void {
    const list = this.recent;
    let i = list.length;
    while (i > 0 && list[i - 1].t > r.t) i--;
    if (i === list.length) list.push(r);
    else list.splice(i, 0, r);
    if (r.t > this.newest) this.newest = r.t;
  }

  /**
   * Writes everything labels have taught so far: the terminal and merchant windows (one layout,
   * shared by both key maps), the payment index and the labelled entities.
   */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('LABL');
    w.bool(this.indexPayments);
    w.f64(this.nextSweep);
    this.layout.writeSnapshot(w, STRING_OWNERS);
    this.terminals.writeSnapshot(w);
    this.merchants.writeSnapshot(w);
    this.payments.writeSnapshot(w);
    for (const flags of [this.accounts, this.merchantFlags, this.terminalFlags]) {
      w.strs([...flags.keys()]);
      w.u8s(Uint8Array.from(flags.values(), (f) => (f ? 1 : 0)));
    }
    w.strs([...this.accountsWithFraud]);
    w.f64(this.recent.length);
    for (const r of this.recent) {
      w.f64(r.t);
      w.u8(r.kind);
      w.str(r.id);
      w.u8(r.prev === undefined ? 2 : r.prev ? 1 : 0);
      w.f64(r.terminal);
      w.f64(r.merchant);
      w.f64(r.paymentT);
      w.f64(r.delta);
    }
  }

  /** Restores what writeSnapshot wrote into this fresh instance (same indexPayments). */
  readSnapshot(r: SnapshotReader): void {
    r.expect('LABL');
    if (r.bool() !== this.indexPayments) throw new RangeError('label snapshot was made with another indexPayments setting');
    this.nextSweep = r.f64();
    this.layout.readSnapshot(r, STRING_OWNERS);
    this.terminals.readSnapshot(r);
    this.merchants.readSnapshot(r);
    this.payments.readSnapshot(r);
    for (const flags of [this.accounts, this.merchantFlags, this.terminalFlags]) {
      const keys = r.strs();
      const values = r.u8s();
      for (let i = 0; i < keys.length; i++) flags.set(keys[i] as string, values[i] === 1);
    }
    for (const id of r.strs()) this.accountsWithFraud.add(id as string);
    for (let n = r.f64(); n > 0; n--) {
      const t = r.f64();
      const kind = r.u8() as RecentLabel['kind'];
      const id = r.str();
      const prev = r.u8();
      this.remember({ t, kind, id, prev: prev === 2 ? undefined : prev === 1, terminal: r.f64(), merchant: r.f64(), paymentT: r.f64(), delta: r.f64() });
    }
  }

  /**
   * Forgets payments too old for any label (a few per call, so call it on every event), and once a
   * day labels too old to matter and idle terminals and merchants.
   */
  advance(now: number): void {
    this.payments.forgetUpTo(now - LABEL_LOOKBACK_MS, FORGET_PER_EVENT);
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    const keep = this.recent.findIndex((r) => r.t >= now - LATE_LABEL_MS);
    if (keep !== 0) this.recent = keep < 0 ? [] : this.recent.slice(keep);
    if (this.recent.length === 0) this.newest = -Infinity;
    // slices may lag behind a burst by days; none may lag past the window handles the payments hold
    this.payments.forgetUpTo(now - this.layout.maxLengthMs);
    // one layout holds both maps' states: sweep it once and hand each dropped state to its own map
    this.layout.sweepExpired(now, this.forgetDropped);
  }
}

/** Takes payment label `r` back out of counts and days read at `now` (its payment inside each window, by payment time). */
function untake(c: FraudCounts, days: DayHistory, r: RecentLabel, now: number): void {
  const age = now - r.paymentT;
  const j = days.today - Math.floor(r.paymentT / DAY);
  if (j >= 0 && j < HISTORY_DAYS) days.fraud[j] = Math.max(0, days.fraud[j] - r.delta);
  if (age < DAY) c.fraud1 = Math.max(0, c.fraud1 - r.delta);
  if (age < 7 * DAY) c.fraud7 = Math.max(0, c.fraud7 - r.delta);
  if (age < 14 * DAY) c.fraud14 = Math.max(0, c.fraud14 - r.delta);
  if (age < 30 * DAY) c.fraud30 = Math.max(0, c.fraud30 - r.delta);
  // the latest known fraud came from this label: which one was known before it is not kept
  if (r.delta > 0 && c.lastFraudT === r.paymentT) c.lastFraudT = NaN;
}
