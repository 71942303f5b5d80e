/**
 * Computes every builtin feature of one payment from the payment, its account's memory and the
 * registry: pure (reads state, writes only the vector), no I/O, no allocation.
 */
import { gradeOf } from './credit-rating.js';
import { effectiveLimit } from './account-restriction.js';
import type { TransactionEvent } from '../contract/events.js';
import { shanghaiHour } from '../contract/time.js';
import type { AccountState } from './account-state.js';
import { countSince } from './account-state.js';
import { isJustUnder, isRoundAmount } from './amounts.js';
import { creditTrusted } from './credit-books.js';
import { N, S } from './catalog.js';
import { distanceKm, speedKmh } from './geo.js';
import type { ReferenceData } from './reference.js';
import type { FeatureVector } from './vector.js';

const DAY = 86_400_000;
const REMOTE_KM = 100;
/** A device stays 'new' to an account for a day after it is first seen (by a reset, a binding or a payment). */
const NEW_DEVICE_MS = DAY;

const {
  amount: AMOUNT, hour: HOUR, is_night: IS_NIGHT, is_round_amount: ROUND, is_just_under: JUST_UNDER,
  account_known: ACC_KNOWN, account_age_days: ACC_AGE, credit_limit: LIMIT, available_credit: AVAILABLE,
  utilisation: UTIL, amount_to_limit: TO_LIMIT, amount_to_available: TO_AVAILABLE, account_tx_count: TX_COUNT,
  amount_vs_mean: VS_MEAN, amount_vs_max: VS_MAX, since_last_tx: SINCE_LAST, since_repayment: SINCE_REPAY,
  last_repayment_amount: REPAY_AMOUNT, since_password_reset: SINCE_RESET, since_phone_change: SINCE_PHONE,
  since_device_bound: SINCE_BOUND, since_security_change: SINCE_SECURITY, complaints_30d: COMPLAINTS,
  device_changes_30d: DEVICE_CHANGES, has_device: HAS_DEVICE, device_is_new: DEVICE_NEW, device_first_use: DEVICE_FIRST, device_age: DEVICE_AGE,
  device_switched: DEVICE_SWITCHED, account_devices: ACC_DEVICES, distance_from_home_km: FROM_HOME,
  distance_from_last_km: FROM_LAST, speed_from_last_kmh: SPEED, is_remote: REMOTE, merchant_known: M_KNOWN,
  terminal_known: T_KNOWN, acquirer_known: Q_KNOWN, acquirer_unlicensed: Q_UNLICENSED, acquirer_unknown: Q_UNKNOWN,
  acquirer_mismatch: Q_MISMATCH, terminal_merchant_mismatch: T_M_MISMATCH, mcc_mismatch: MCC_MISMATCH,
  terminal_mcc_mismatch: T_MCC_MISMATCH, region_mismatch: REGION_MISMATCH, merchant_name_mismatch: NAME_MISMATCH,
  terminal_distance_km: T_DIST, merchant_distance_km: M_DIST, merchant_age_days: M_AGE, terminal_age_days: T_AGE,
  account_frozen: FROZEN, account_step_up: STEP_UP, effective_credit_limit: EFFECTIVE_LIMIT, credit_rating_score: RATING,
  merchant_registry_used: M_REGISTRY, terminal_registry_used: T_REGISTRY, account_registry_used: A_REGISTRY,
  acquirer_registry_used: Q_REGISTRY, repayments_used: REPAYMENTS, issuer_available_credit: ISSUER_AVAILABLE,
  available_credit_trusted: CREDIT_TRUSTED,
} = N;

const {
  account: S_ACCOUNT, merchant: S_MERCHANT, terminal: S_TERMINAL, device: S_DEVICE, ip: S_IP, channel: S_CHANNEL,
  mcc: S_MCC, acquirer: S_ACQUIRER, currency: S_CURRENCY, kyc: S_KYC, registered_mcc: S_REG_MCC,
  terminal_merchant: S_T_MERCHANT, merchant_region: S_REGION, credit_grade: S_GRADE,
} = S;

const b = (x: boolean): number => (x ? 1 : 0);

/** Fills the builtin slots of `v` for `tx`, before the payment is folded into any state. */
export function computeBuiltins(
  tx: TransactionEvent,
  acc: AccountState | undefined,
  ref: ReferenceData,
  v: FeatureVector,
): void {
  const num = v.num;
  const str = v.str;
  const t = tx.t;
  const amount = tx.amount;

  num[AMOUNT] = amount;
  const hour = shanghaiHour(t);
  num[HOUR] = hour;
  num[IS_NIGHT] = b(hour < 6);
  num[ROUND] = b(isRoundAmount(amount));
  num[JUST_UNDER] = b(isJustUnder(amount));

  str[S_ACCOUNT] = tx.accountId;
  str[S_MERCHANT] = tx.merchantId;
  str[S_TERMINAL] = tx.terminalId;
  str[S_DEVICE] = tx.deviceId ?? '';
  str[S_IP] = tx.ip ?? '';
  str[S_CHANNEL] = tx.channel ?? '';
  str[S_MCC] = tx.mcc ?? '';
  str[S_ACQUIRER] = tx.acquirerId ?? '';
  str[S_CURRENCY] = tx.currency;

  num[REPAYMENTS] = b(ref.repaymentsUsed);
  num[ISSUER_AVAILABLE] = tx.availableCredit ?? NaN;
  num[CREDIT_TRUSTED] = b(creditTrusted(tx, ref));
  // what is owed is known where the stream reports repayments, or the issuer's figure came with the
  // payment (the engine set the account's books to it: credit-books.ts)
  accountFeatures(tx, acc, ref.repaymentsUsed || tx.availableCredit !== undefined, num, str);
  registryFeatures(tx, ref, num, str);
}

function accountFeatures(tx: TransactionEvent, acc: AccountState | undefined, owedKnown: boolean, num: Float64Array, str: string[]): void {
  const t = tx.t;
  const amount = tx.amount;
  const dev = tx.deviceId;
  num[HAS_DEVICE] = b(dev !== undefined);
  if (acc === undefined) {
    num[ACC_KNOWN] = 0;
    num[TX_COUNT] = 0;
    num[COMPLAINTS] = 0;
    num[DEVICE_CHANGES] = 0;
    num[ACC_DEVICES] = 0;
    num[DEVICE_NEW] = dev === undefined ? NaN : 1;
    num[DEVICE_FIRST] = num[DEVICE_NEW];
    num[DEVICE_SWITCHED] = NaN;
    num[REMOTE] = NaN;
    num[FROZEN] = 0; // an account never seen has no account action
    num[STEP_UP] = 0;
    str[S_GRADE] = '';
    for (const s of [ACC_AGE, EFFECTIVE_LIMIT, RATING, LIMIT, AVAILABLE, UTIL, TO_LIMIT, TO_AVAILABLE, VS_MEAN, VS_MAX, SINCE_LAST,
      SINCE_REPAY, REPAY_AMOUNT, SINCE_RESET, SINCE_PHONE, SINCE_BOUND, SINCE_SECURITY, DEVICE_AGE, FROM_HOME,
      FROM_LAST, SPEED]) num[s] = NaN;
    str[S_KYC] = '';
    return;
  }
  str[S_ACCOUNT] = acc.id; // the account's own copy of the id, see AccountState
  num[ACC_KNOWN] = b(acc.registered);
  num[ACC_AGE] = (t - acc.openedAt) / DAY;
  const limit = acc.creditLimit;
  // account actions (src/accounts): a lowered limit caps what is available; utilisation and
  // amount_to_limit stay measured against the registered limit the customer was granted
  const r = acc.restriction;
  const effective = r === null ? limit : effectiveLimit(limit, r, t);
  num[FROZEN] = r === null ? 0 : b(t < r.frozenUntil);
  num[STEP_UP] = r === null ? 0 : b(t < r.stepUpUntil);
  num[EFFECTIVE_LIMIT] = effective;
  num[RATING] = acc.ratingScore;
  str[S_GRADE] = gradeOf(acc.ratingScore);
  // what is owed is known only where repayments are reported (ReferenceData.repayments) or the
  // payment carried the issuer's figure
  const outstanding = owedKnown ? acc.outstanding : NaN;
  const available = effective - outstanding;
  num[LIMIT] = limit;
  num[AVAILABLE] = available;
  num[UTIL] = limit > 0 ? (outstanding + amount) / limit : NaN;
  num[TO_LIMIT] = limit > 0 ? amount / limit : NaN;
  num[TO_AVAILABLE] = !owedKnown ? NaN : available > 0 ? amount / available : effective >= 0 ? Infinity : NaN;
  const n = acc.txCount;
  num[TX_COUNT] = n;
  num[VS_MEAN] = n >= 3 ? amount / acc.amountMean : NaN;
  num[VS_MAX] = n >= 3 ? amount / acc.amountMax : NaN;
  num[SINCE_LAST] = t - acc.lastTxT;
  num[SINCE_REPAY] = t - acc.lastRepaymentT;
  num[REPAY_AMOUNT] = acc.lastRepaymentAmount;
  num[SINCE_RESET] = t - acc.lastPasswordResetT;
  num[SINCE_PHONE] = t - acc.lastPhoneChangeT;
  num[SINCE_BOUND] = t - acc.lastDeviceBoundT;
  const latestSecurity = Math.max(
    acc.lastPasswordResetT || -Infinity,
    acc.lastPhoneChangeT || -Infinity,
    acc.lastDeviceBoundT || -Infinity,
  );
  num[SINCE_SECURITY] = latestSecurity === -Infinity ? NaN : t - latestSecurity;
  num[COMPLAINTS] = countSince(acc.complaints, t, 30 * DAY);
  num[DEVICE_CHANGES] = countSince(acc.deviceChanges, t, 30 * DAY);
  num[ACC_DEVICES] = acc.deviceCount();
  if (dev === undefined) {
    num[DEVICE_NEW] = NaN;
    num[DEVICE_FIRST] = NaN;
    num[DEVICE_AGE] = NaN;
    num[DEVICE_SWITCHED] = NaN;
  } else {
    const di = acc.deviceIndex(dev);
    const since = di < 0 ? NaN : acc.deviceFirstSeenAt(di);
    if (di >= 0) str[S_DEVICE] = acc.deviceAt(di); // the account's own copy of the id: no new string kept by windows
    const age = Number.isNaN(since) ? 0 : t - since;
    num[DEVICE_FIRST] = b(Number.isNaN(since));
    num[DEVICE_NEW] = b(age < NEW_DEVICE_MS);
    num[DEVICE_AGE] = age;
    num[DEVICE_SWITCHED] = acc.lastDevice === '' ? NaN : b(acc.lastDevice !== dev);
  }
  const g = tx.geo;
  if (g === undefined) {
    num[FROM_HOME] = NaN;
    num[FROM_LAST] = NaN;
    num[SPEED] = NaN;
    num[REMOTE] = NaN;
  } else {
    const home = distanceKm(g.lat, g.lon, acc.homeLat, acc.homeLon);
    num[FROM_HOME] = home;
    num[REMOTE] = Number.isNaN(home) ? NaN : b(home > REMOTE_KM);
    const last = distanceKm(g.lat, g.lon, acc.lastTxLat, acc.lastTxLon);
    num[FROM_LAST] = last;
    num[SPEED] = t >= acc.lastTxGeoT ? speedKmh(last, t - acc.lastTxGeoT) : NaN;
  }
  str[S_KYC] = acc.kyc;
}

function registryFeatures(tx: TransactionEvent, ref: ReferenceData, num: Float64Array, str: string[]): void {
  const t = tx.t;
  const g = tx.geo;
  const m = ref.merchants.get(tx.merchantId);
  const term = ref.terminals.get(tx.terminalId);
  num[M_REGISTRY] = b(ref.merchantRegistryUsed);
  num[T_REGISTRY] = b(ref.terminalRegistryUsed);
  num[A_REGISTRY] = b(ref.accountRegistryUsed);
  num[Q_REGISTRY] = b(ref.acquirerRegistryUsed);
  num[M_KNOWN] = b(m !== undefined);
  num[T_KNOWN] = b(term !== undefined);
  // the registered copies of the ids: later map lookups hit a string whose hash is already known
  if (m !== undefined) str[S_MERCHANT] = m.id;
  if (term !== undefined) str[S_TERMINAL] = term.id;
  const acquirerId = tx.acquirerId ?? m?.acquirerId ?? term?.acquirerId;
  const q = acquirerId === undefined ? undefined : ref.acquirers.get(acquirerId);
  num[Q_KNOWN] = acquirerId === undefined ? NaN : b(q !== undefined);
  num[Q_UNLICENSED] = q === undefined ? (acquirerId === undefined ? NaN : 0) : b(!q.licensed);
  num[Q_UNKNOWN] = acquirerId === undefined ? NaN : b(q === undefined);
  num[Q_MISMATCH] = tx.acquirerId === undefined || m === undefined ? NaN : b(tx.acquirerId !== m.acquirerId);

  num[M_AGE] = m === undefined ? NaN : (t - m.since) / DAY;
  num[T_AGE] = term === undefined ? NaN : (t - term.since) / DAY;
  str[S_REG_MCC] = m?.mcc ?? '';
  str[S_REGION] = m?.region ?? '';
  num[MCC_MISMATCH] = tx.mcc === undefined || m === undefined || m.mcc === '' ? NaN : b(tx.mcc !== m.mcc);
  num[NAME_MISMATCH] =
    tx.merchantName === undefined || m === undefined || m.name === '' ? NaN : b(tx.merchantName !== m.name);
  num[M_DIST] = g === undefined || m?.geo === undefined ? NaN : distanceKm(g.lat, g.lon, m.geo.lat, m.geo.lon);

  if (term === undefined) {
    num[T_M_MISMATCH] = NaN;
    num[T_MCC_MISMATCH] = NaN;
    num[REGION_MISMATCH] = NaN;
    num[T_DIST] = NaN;
    str[S_T_MERCHANT] = '';
    return;
  }
  str[S_T_MERCHANT] = term.merchantId;
  num[T_M_MISMATCH] = b(term.merchantId !== tx.merchantId);
  const own = term.merchantId === tx.merchantId ? m : ref.merchants.get(term.merchantId);
  num[T_MCC_MISMATCH] = tx.mcc === undefined || own === undefined || own.mcc === '' ? NaN : b(tx.mcc !== own.mcc);
  num[REGION_MISMATCH] =
    own === undefined || m === undefined || own.region === '' || m.region === '' ? NaN : b(own.region !== m.region);
  num[T_DIST] = g === undefined || term.geo === undefined ? NaN : distanceKm(g.lat, g.lon, term.geo.lat, term.geo.lon);
}
