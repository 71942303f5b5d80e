/**
 * Label-aware builtins: what confirmed fraud known by the payment's time says about its terminal,
 * merchant and account. Pure reads of LabelKnowledge; the payment itself is folded in afterwards.
 */
import type { TransactionEvent } from '../contract/events.js';
import { N, S } from './catalog.js';
import { emptyCounts, emptyDays, HISTORY_DAYS, type DayHistory, type FraudCounts, type LabelKnowledge } from './labels.js';
import type { FeatureVector } from './vector.js';

const {
  terminal_fraud_rate_1d: T_RATE_1, terminal_fraud_rate_7d: T_RATE_7, terminal_fraud_rate_30d: T_RATE_30,
  terminal_fraud_30d: T_FRAUD_30, terminal_fraud_rate_14d: T_RATE_14, terminal_fraud_14d: T_FRAUD_14,
  terminal_days_since_fraud: T_SINCE, merchant_days_since_fraud: M_SINCE, merchant_fraud_rate_7d: M_RATE_7, merchant_fraud_rate_30d: M_RATE_30,
  merchant_fraud_30d: M_FRAUD_30, terminal_labelled_fraud: T_FLAG, merchant_labelled_fraud: M_FLAG,
  account_labelled_fraud: A_FLAG,
  terminal_mature_fraud_share: T_MATURE_SHARE, terminal_mature_fraud_days: T_MATURE_DAYS, terminal_days_since_fraud_run: T_RUN_SINCE,
  terminal_fraud_rate_delayed_7d: T_DELAYED_7, merchant_mature_fraud_share: M_MATURE_SHARE, merchant_mature_fraud_days: M_MATURE_DAYS,
  merchant_days_since_fraud_run: M_RUN_SINCE, merchant_fraud_rate_delayed_7d: M_DELAYED_7,
} = N;

const DAY = 86_400_000;
const terminal: FraudCounts = emptyCounts();
const merchant: FraudCounts = emptyCounts();
const terminalDays: DayHistory = emptyDays();
const merchantDays: DayHistory = emptyDays();
/**
 * Age from which a day's fraud is taken as reported: a payment's fraud label comes days after it
 * (the Handbook's protocol assumes 7; card chargebacks take longer, scam reports to a credit line
 * often less), so only days at least this old say whether a terminal's traffic was fraud.
 */
export const MATURE_MS = 7 * DAY;

/** A share, unknown (NaN) when there is nothing to share. */
function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : NaN;
}

/**
 * Fills the label-aware slots of `v` for `tx` from what is known at `tx.t`; call after computeBuiltins
 * (it reads the registered copies of the terminal and merchant ids from `v`) and before
 * LabelKnowledge.applyPayment.
 */
export function computeLabelFeatures(tx: TransactionEvent, k: LabelKnowledge, v: FeatureVector): void {
  const num = v.num;
  k.read(v.str[S.terminal], v.str[S.merchant], tx.t, terminal, merchant, terminalDays, merchantDays);
  matureHistory(terminalDays, tx.t, num, T_MATURE_SHARE, T_MATURE_DAYS, T_RUN_SINCE, T_DELAYED_7);
  matureHistory(merchantDays, tx.t, num, M_MATURE_SHARE, M_MATURE_DAYS, M_RUN_SINCE, M_DELAYED_7);
  num[T_RATE_1] = rate(terminal.fraud1, terminal.tx1);
  num[T_RATE_7] = rate(terminal.fraud7, terminal.tx7);
  num[T_RATE_30] = rate(terminal.fraud30, terminal.tx30);
  num[T_FRAUD_30] = terminal.fraud30;
  num[T_RATE_14] = rate(terminal.fraud14, terminal.tx14);
  num[T_FRAUD_14] = terminal.fraud14;
  num[T_SINCE] = (tx.t - terminal.lastFraudT) / DAY;
  num[M_SINCE] = (tx.t - merchant.lastFraudT) / DAY;
  num[M_RATE_7] = rate(merchant.fraud7, merchant.tx7);
  num[M_RATE_30] = rate(merchant.fraud30, merchant.tx30);
  num[M_FRAUD_30] = merchant.fraud30;
  num[T_FLAG] = k.flagAt(3, tx.terminalId, tx.t) ? 1 : 0;
  num[M_FLAG] = k.flagAt(2, tx.merchantId, tx.t) ? 1 : 0;
  num[A_FLAG] = k.accountFraudAt(tx.accountId, tx.t) ? 1 : 0;
}

/**
 * What the mature days of one terminal or merchant say (see MATURE_MS): the fraud share of the latest
 * mature day with payments, how many such days in a row were mostly fraud and since when, and the
 * fraud share of the 7 latest mature days. A compromised terminal keeps being compromised for a while,
 * then it is repaired: the run's length and age tell the two apart, which a 30-day share cannot.
 */
function matureHistory(d: DayHistory, now: number, num: Float64Array, share: number, days: number, since: number, delayed7: number): void {
  // the latest bucket that ended at least MATURE_MS before now, as an index into the newest-first arrays
  const first = d.today - (Math.floor((now - MATURE_MS) / DAY) - 1);
  let latest = NaN;
  let run = 0;
  let start = NaN;
  let open = true;
  let tx7 = 0;
  let fraud7 = 0;
  for (let j = first; j < HISTORY_DAYS; j++) {
    const n = d.tx[j];
    if (j < first + 7) {
      tx7 += n;
      fraud7 += d.fraud[j];
    } else if (!open) break; // the run has ended and the 7 days are summed: nothing older matters
    if (n === 0 || !open) continue;
    const s = d.fraud[j] / n;
    if (latest !== latest) latest = s;
    if (s >= 0.5) {
      run++;
      start = (d.today - j) * DAY;
    } else open = false;
  }
  num[share] = latest;
  num[days] = run;
  num[since] = run > 0 ? (now - start) / DAY : NaN;
  num[delayed7] = rate(fraud7, tx7);
}
