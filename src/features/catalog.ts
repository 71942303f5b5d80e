/**
 * The builtin features every transaction gets, with their slots. Rules name these directly; the
 * slot constants below are what the hot path writes, so adding a feature means one line here and
 * one assignment in builtins.ts.
 */
import type { BuiltinCatalog, BuiltinFeature, ValueType } from './vector.js';

const NUMERIC: [string, 'number' | 'boolean', string][] = [
  ['amount', 'number', 'payment amount in fen (¥1 = 100)'],
  ['hour', 'number', 'local hour 0–23 in Asia/Shanghai'],
  ['is_night', 'boolean', 'local time between 00:00 and 05:59'],
  ['is_round_amount', 'boolean', 'a multiple of ¥100'],
  ['is_just_under', 'boolean', 'just under a round figure (¥4,999, ¥9,990)'],
  ['account_known', 'boolean', 'the account was registered by an account event'],
  ['account_age_days', 'number', 'days since the account was opened'],
  ['credit_limit', 'number', 'credit limit in fen'],
  ['available_credit', 'number', 'effective credit limit (the lowered one while an account action holds) minus outstanding, before this payment, in fen; unknown while the stream reports no repayments'],
  ['utilisation', 'number', 'share of the limit used once this payment is added (0–1+); unknown while the stream reports no repayments'],
  ['amount_to_limit', 'number', 'amount / credit limit'],
  ['amount_to_available', 'number', 'amount / available credit before this payment; unknown while the stream reports no repayments'],
  ['account_tx_count', 'number', 'payments this account made before this one'],
  ['amount_vs_mean', 'number', "amount / the account's mean earlier amount (unknown under 3 earlier payments)"],
  ['amount_vs_max', 'number', "amount / the account's largest earlier amount (unknown under 3 earlier payments)"],
  ['since_last_tx', 'number', "ms since the account's previous payment"],
  ['since_repayment', 'number', 'ms since the last repayment'],
  ['last_repayment_amount', 'number', 'amount of the last repayment in fen'],
  ['since_password_reset', 'number', 'ms since the last password reset'],
  ['since_phone_change', 'number', 'ms since the last phone-number change'],
  ['since_device_bound', 'number', 'ms since a device was last bound to the account'],
  ['since_security_change', 'number', 'ms since the latest password reset, phone change or device binding'],
  ['complaints_30d', 'number', 'complaints about the account in the last 30 days'],
  ['device_changes_30d', 'number', 'new devices the account started using in the last 30 days'],
  ['has_device', 'boolean', 'the payment carries a device id'],
  ['device_is_new', 'boolean', 'the device was first seen on this account less than 24 hours ago (or now)'],
  ['device_first_use', 'boolean', 'the device was never seen on this account before this payment'],
  ['device_age', 'number', 'ms since the device was first seen on the account'],
  ['device_switched', 'boolean', "the device differs from the account's previous payment's"],
  ['account_devices', 'number', 'devices the account has used (remembered, up to 16)'],
  ['distance_from_home_km', 'number', "km between the payment and the account's home"],
  ['distance_from_last_km', 'number', "km between the payment and the account's previous located payment"],
  ['speed_from_last_kmh', 'number', 'km/h needed to travel from the previous located payment'],
  ['is_remote', 'boolean', 'more than 100 km from home (异地)'],
  ['merchant_known', 'boolean', 'the merchant code carried is registered'],
  ['terminal_known', 'boolean', 'the terminal is registered'],
  ['acquirer_known', 'boolean', 'the acquirer carried (or registered) is known'],
  ['acquirer_unlicensed', 'boolean', 'the acquirer is registered as holding no payment licence (二清)'],
  ['acquirer_unknown', 'boolean', 'the acquirer carried by the payment was never registered (二清)'],
  ['acquirer_mismatch', 'boolean', "the acquirer carried differs from the merchant's registered one"],
  ['terminal_merchant_mismatch', 'boolean', 'the terminal is bound to another merchant than the code carried (跳码)'],
  ['mcc_mismatch', 'boolean', "the MCC carried differs from the merchant's registered MCC"],
  ['terminal_mcc_mismatch', 'boolean', "the MCC carried differs from the terminal's own merchant's MCC"],
  ['region_mismatch', 'boolean', "the terminal's own merchant is registered in another region than the code carried"],
  ['merchant_name_mismatch', 'boolean', 'the merchant name carried differs from the registered name'],
  ['terminal_distance_km', 'number', "km between the payment and the terminal's bound address (移机)"],
  ['merchant_distance_km', 'number', "km between the payment and the merchant's registered address"],
  ['merchant_age_days', 'number', 'days since the merchant was registered'],
  ['terminal_age_days', 'number', 'days since the terminal was bound'],
  ['terminal_fraud_rate_1d', 'number', "share of the terminal's payments of the last day known to be fraud (labels known by now)"],
  ['terminal_fraud_rate_7d', 'number', "share of the terminal's payments of the last 7 days known to be fraud"],
  ['terminal_fraud_rate_30d', 'number', "share of the terminal's payments of the last 30 days known to be fraud"],
  ['terminal_fraud_rate_14d', 'number', "share of the terminal's payments of the last 14 days known to be fraud"],
  ['terminal_fraud_14d', 'number', "the terminal's payments of the last 14 days known to be fraud"],
  ['terminal_fraud_30d', 'number', "the terminal's payments of the last 30 days known to be fraud"],
  ['terminal_days_since_fraud', 'number', "days since the terminal's latest payment known to be fraud (within 30 days)"],
  ['merchant_days_since_fraud', 'number', "days since the merchant's latest payment known to be fraud (within 30 days)"],
  ['merchant_fraud_rate_7d', 'number', "share of the merchant's payments of the last 7 days known to be fraud"],
  ['merchant_fraud_rate_30d', 'number', "share of the merchant's payments of the last 30 days known to be fraud"],
  ['merchant_fraud_30d', 'number', "the merchant's payments of the last 30 days known to be fraud"],
  ['terminal_mature_fraud_share', 'number', "share of the terminal's payments known to be fraud on its latest mature day (a day at least 7 days old, so its fraud has had time to be reported)"],
  ['terminal_mature_fraud_days', 'number', 'how many of the terminal\'s latest mature days with payments in a row were mostly (≥ half) known fraud: a compromise lasts'],
  ['terminal_days_since_fraud_run', 'number', "days since the first day of that run of mostly-fraud mature days (unknown when there is none)"],
  ['terminal_fraud_rate_delayed_7d', 'number', "share of the terminal's payments known to be fraud over its 7 latest mature days"],
  ['merchant_mature_fraud_share', 'number', "share of the merchant's payments known to be fraud on its latest mature day (at least 7 days old)"],
  ['merchant_mature_fraud_days', 'number', "how many of the merchant's latest mature days with payments in a row were mostly (≥ half) known fraud"],
  ['merchant_days_since_fraud_run', 'number', 'days since the first day of that run of mostly-fraud mature days (unknown when there is none)'],
  ['merchant_fraud_rate_delayed_7d', 'number', "share of the merchant's payments known to be fraud over its 7 latest mature days"],
  ['terminal_labelled_fraud', 'boolean', 'the terminal itself has been labelled fraudulent'],
  ['merchant_labelled_fraud', 'boolean', 'the merchant itself has been labelled fraudulent'],
  ['account_labelled_fraud', 'boolean', 'the account has been labelled compromised or has a payment confirmed as fraud'],
  ['account_frozen', 'boolean', 'the account is frozen by an account action (冻结) at the payment\'s time'],
  ['account_step_up', 'boolean', 'an account action requires step-up verification for every payment of the account'],
  ['effective_credit_limit', 'number', 'the limit in force in fen: the registered limit, or the lowered one (降额) while it holds'],
  ['credit_rating_score', 'number', "the account's credit rating, 0–1000 (docs/accounts.md), as of this payment's time (before the payment)"],
  ['merchant_risk_score', 'number', "0–100 rating of the merchant code's last 7 days of traffic (cash-out shapes, 跳码, 移机, 二清, confirmed fraud), before this payment"],
  ['terminal_risk_score', 'number', "0–100 rating of the terminal's last 7 days of traffic, as merchant_risk_score, before this payment"],
  ['terminal_suspended', 'boolean', 'the terminal is suspended by a merchant action (停机) at the payment\'s time'],
  ['merchant_settlement_held', 'boolean', "settlement is held (by a merchant action) for the merchant code carried or the terminal's own merchant"],
  ['merchant_registry_used', 'boolean', 'the stream has registered merchants at all (merchant events): only then is an unregistered code a signal'],
  ['terminal_registry_used', 'boolean', 'the stream has registered terminals at all (terminal events)'],
  ['account_registry_used', 'boolean', 'the stream has registered accounts at all (account events)'],
  ['acquirer_registry_used', 'boolean', 'the stream has registered acquirers at all (acquirer events)'],
  ['repayments_used', 'boolean', 'the stream reports repayments at all; until it does, available_credit, utilisation and amount_to_available are unknown'],
  ['issuer_available_credit', 'number', "the issuer's open-to-buy the payment carries (availableCredit, ISO 8583 field 54), in fen; unknown when it carries none"],
  ['available_credit_trusted', 'boolean', "available_credit may decline: the payment carries the issuer's figure, or the engine's own arithmetic has not contradicted the issuer's within 7 days (features/credit-books.ts)"],
];

const STRINGS: [string, string][] = [
  ['account', 'account id'],
  ['merchant', 'merchant code carried by the payment'],
  ['terminal', 'terminal id'],
  ['device', 'payer device id'],
  ['ip', 'payer IP address'],
  ['channel', 'qr, card or app'],
  ['mcc', 'MCC carried by the payment'],
  ['acquirer', 'acquirer code carried by the payment'],
  ['currency', 'ISO 4217 currency'],
  ['kyc', 'none, basic or full'],
  ['registered_mcc', "the merchant's registered MCC"],
  ['terminal_merchant', 'the merchant the terminal is bound to'],
  ['merchant_region', "the merchant's registered region code"],
  ['credit_grade', "the account's credit grade, A (best) to E, from credit_rating_score"],
];

/** Numeric slot numbers by name, for the hot path. */
export const N = Object.fromEntries(NUMERIC.map(([name], i) => [name, i])) as Record<string, number>;
/** String slot numbers by name, for the hot path. */
export const S = Object.fromEntries(STRINGS.map(([name], i) => [name, i])) as Record<string, number>;

function build(): BuiltinCatalog {
  const features: BuiltinFeature[] = [
    ...NUMERIC.map(([name, type, description], slot) => ({ name, type: type as ValueType, slot, description })),
    ...STRINGS.map(([name, description], slot) => ({ name, type: 'string' as ValueType, slot, description })),
  ];
  const byName = new Map(features.map((f) => [f.name, f]));
  return {
    features,
    numSlots: NUMERIC.length,
    strSlots: STRINGS.length,
    lookup: (name) => byName.get(name),
  };
}

/** The catalog the policy compiler resolves names against. */
export const BUILTINS: BuiltinCatalog = build();
