/**
 * Label-aware builtins: what confirmed fraud known by the payment's time says about its terminal,
 * merchant and account. Pure reads of LabelKnowledge; the payment itself is folded in afterwards.
 */
import type { TransactionEvent } from '../contract/events.js';
import { N, S } from './catalog.js';
import { emptyCounts, type FraudCounts, type LabelKnowledge } from './labels.js';
import type { FeatureVector } from './vector.js';

const {
  terminal_fraud_rate_1d: T_RATE_1, terminal_fraud_rate_7d: T_RATE_7, terminal_fraud_rate_30d: T_RATE_30,
  terminal_fraud_30d: T_FRAUD_30, terminal_fraud_rate_14d: T_RATE_14, terminal_fraud_14d: T_FRAUD_14,
  terminal_days_since_fraud: T_SINCE, merchant_days_since_fraud: M_SINCE, merchant_fraud_rate_7d: M_RATE_7, merchant_fraud_rate_30d: M_RATE_30,
  merchant_fraud_30d: M_FRAUD_30, terminal_labelled_fraud: T_FLAG, merchant_labelled_fraud: M_FLAG,
  account_labelled_fraud: A_FLAG,
} = N;

const DAY = 86_400_000;
const terminal: FraudCounts = emptyCounts();
const merchant: FraudCounts = emptyCounts();

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
  k.read(v.str[S.terminal], v.str[S.merchant], tx.t, terminal, merchant);
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
