/**
 * Merchant and terminal risk from their own traffic, kept by the engine as cheap counters: per
 * merchant code and per terminal, seven daily buckets of how many payments carried cash-out shapes
 * (round, just-under or near-limit amounts of ¥1,000+, and from how many accounts), another
 * merchant's code, MCC or region (跳码), a place far from the bound address (移机), an unlicensed or
 * unknown acquirer (二清), large night amounts; plus the confirmed fraud known at its latest payment.
 * Updated in the same step as the decision (so replay and live agree), no allocation per payment.
 * `merchant_risk_score` and `terminal_risk_score` read the rating as it stood before the payment.
 */
import type { TransactionEvent } from '../contract/events.js';
import { N, S } from './catalog.js';
import type { FeatureVector } from './vector.js';

const DAY = 86_400_000;
/** Days of traffic a rating looks at. */
export const PROFILE_DAYS = 7;

/** Counter index within a day bucket. */
export const C = { tx: 0, amount: 1, cashout: 2, code: 3, mcc: 4, region: 5, moved: 6, unlicensed: 7, unknownAcquirer: 8, nightLarge: 9 } as const;
const NC = 10;
const LARGE = 100_000; // ¥1,000
const MOVED_KM = 30;

const {
  is_round_amount: ROUND, is_just_under: UNDER, amount_to_limit: TO_LIMIT, is_night: NIGHT,
  terminal_merchant_mismatch: CODE, mcc_mismatch: MCC, terminal_mcc_mismatch: T_MCC, region_mismatch: REGION,
  terminal_distance_km: T_DIST, acquirer_unlicensed: UNLICENSED, acquirer_unknown: UNKNOWN_Q,
  merchant_fraud_rate_30d: M_RATE, merchant_fraud_30d: M_FRAUD, terminal_fraud_rate_30d: T_RATE, terminal_fraud_30d: T_FRAUD,
  merchant_labelled_fraud: M_FLAG, terminal_labelled_fraud: T_FLAG, merchant_risk_score: M_SCORE, terminal_risk_score: T_SCORE,
} = N;
const { merchant: S_MERCHANT, terminal: S_TERMINAL, account: S_ACCOUNT } = S;

/**
 * The numeric features `observe` reads besides the payment itself, in a fixed order: a partition
 * that did not decide a payment folds it into its profiles from these values as the owner had them
 * (engine/shared-effects.ts), since some (amount_to_limit) come from the account's memory.
 */
export const PROFILE_INPUTS: readonly number[] = [
  M_RATE, M_FRAUD, M_FLAG, T_RATE, T_FRAUD, T_FLAG, ROUND, UNDER, TO_LIMIT, CODE, MCC, T_MCC, REGION, T_DIST, UNLICENSED, UNKNOWN_Q, NIGHT,
];

/** Seven days of one merchant code's or terminal's traffic. */
export class Profile {
  /** counts[slot * NC + counter] for the day held in days[slot]. */
  readonly counts = new Float64Array(PROFILE_DAYS * NC);
  /** Sums of `counts` over the live days. */
  readonly totals = new Float64Array(NC);
  /** Day number (epoch days) each slot holds; -1 empty. */
  readonly days = new Int32Array(PROFILE_DAYS).fill(-1);
  /** 64-bit bitmap per slot of the accounts that paid cash-out shapes (linear counting). */
  readonly bits = new Uint32Array(PROFILE_DAYS * 2);
  lastDay = -1;
  /** Confirmed fraud known at its latest payment: 30-day rate, count, and whether labelled itself. */
  fraudRate = NaN;
  fraud30 = 0;
  labelled = false;

  /** Drops the days that left the window by `day`; call before reading or adding at `day`. */
  roll(day: number): void {
    if (day <= this.lastDay) return;
    if (this.lastDay < 0 || day - this.lastDay >= PROFILE_DAYS) {
      this.counts.fill(0);
      this.totals.fill(0);
      this.bits.fill(0);
      for (let d = day - PROFILE_DAYS + 1; d <= day; d++) this.days[slotOf(d)] = d;
    } else {
      for (let d = this.lastDay + 1; d <= day; d++) {
        const s = slotOf(d);
        const base = s * NC;
        for (let k = 0; k < NC; k++) {
          this.totals[k] -= this.counts[base + k];
          this.counts[base + k] = 0;
        }
        this.bits[2 * s] = 0;
        this.bits[2 * s + 1] = 0;
        this.days[s] = d;
      }
    }
    this.lastDay = day;
  }

  /** A copy, so a read at another day does not move the engine's own state. */
  clone(): Profile {
    const p = new Profile();
    p.counts.set(this.counts);
    p.totals.set(this.totals);
    p.days.set(this.days);
    p.bits.set(this.bits);
    p.lastDay = this.lastDay;
    p.fraudRate = this.fraudRate;
    p.fraud30 = this.fraud30;
    p.labelled = this.labelled;
    return p;
  }

  /** Distinct accounts that paid cash-out shapes over the window (estimated, exact for a handful). */
  cashoutAccounts(): number {
    let lo = 0;
    let hi = 0;
    for (let s = 0; s < PROFILE_DAYS; s++) {
      lo |= this.bits[2 * s];
      hi |= this.bits[2 * s + 1];
    }
    const set = popcount(lo) + popcount(hi);
    if (set >= 64) return 300;
    return Math.round(-64 * Math.log((64 - set) / 64));
  }
}

function slotOf(day: number): number {
  return ((day % PROFILE_DAYS) + PROFILE_DAYS) % PROFILE_DAYS;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** FNV-1a of a string, for the accounts bitmap. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Why a rating is what it is: one line per driver. */
/** The drivers the traffic makes. */
export type TrafficDriver = 'cashout' | 'code_jumping' | 'relocation' | 'second_clearing' | 'confirmed_fraud' | 'night_large';

export interface Driver {
  /** `complaints` is added by the merchant view from filed complaints (merchants/view.ts withComplaints), not by traffic. */
  readonly driver: TrafficDriver | 'complaints';
  /** 0–1: how strongly the traffic shows it. */
  readonly severity: number;
  /** Points of the 0–100 score it accounts for on its own (100 · weight · severity). */
  readonly points: number;
  readonly evidence: Readonly<Record<string, number | boolean>>;
}

/** A rating: score 0–100, grade A (clean) … E (act now), and its drivers, strongest first. */
export interface Rating {
  readonly score: number;
  readonly grade: 'A' | 'B' | 'C' | 'D' | 'E';
  readonly drivers: readonly Driver[];
  readonly volume: { readonly payments: number; readonly amountFen: number; readonly days: number };
}

/** The most each driver can contribute on its own (score = 100·(1 − Π(1 − weight·severity))). */
export const WEIGHTS = { cashout: 0.6, code_jumping: 0.5, relocation: 0.45, second_clearing: 0.7, confirmed_fraud: 0.8, night_large: 0.2 } as const;
/** Payments a share is shrunk with, so that three payments are not a 100% pattern. */
const PRIOR = 5;

const clamp = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

/** Grade of a score: A < 20 ≤ B < 40 ≤ C < 60 ≤ D < 80 ≤ E. */
export function gradeOf(score: number): Rating['grade'] {
  return score < 20 ? 'A' : score < 40 ? 'B' : score < 60 ? 'C' : score < 80 ? 'D' : 'E';
}

const sev = new Float64Array(6);
const scratch = new Float64Array(NC);

/** Fills `sev` with the severity of each driver, in WEIGHTS order; returns the score. */
function severities(p: Profile, labelled: boolean, out: Float64Array): number {
  const t = p.totals;
  const n = t[C.tx] + PRIOR;
  out[0] = clamp(t[C.cashout] / n / 0.4) * (t[C.cashout] > 0 ? clamp((p.cashoutAccounts() - 1) / 4) : 0);
  out[1] = clamp(Math.max(t[C.code], t[C.mcc], t[C.region]) / n / 0.3);
  out[2] = clamp(t[C.moved] / n / 0.3);
  out[3] = clamp((t[C.unlicensed] + t[C.unknownAcquirer]) / n / 0.1);
  // a merchant labelled itself, or a 10%+ confirmed-fraud rate over three or more payments
  out[4] = labelled || p.labelled ? 1 : p.fraud30 >= 1 && p.fraudRate > 0 ? clamp(p.fraudRate / 0.1) * clamp(p.fraud30 / 3) : 0;
  out[5] = clamp(t[C.nightLarge] / n / 0.5);
  const q =
    (1 - WEIGHTS.cashout * out[0]) * (1 - WEIGHTS.code_jumping * out[1]) * (1 - WEIGHTS.relocation * out[2]) *
    (1 - WEIGHTS.second_clearing * out[3]) * (1 - WEIGHTS.confirmed_fraud * out[4]) * (1 - WEIGHTS.night_large * out[5]);
  return Math.round((1 - q) * 1_000_000) / 10_000;
}

/** The rating of a profile as of `day` (epoch days), with its drivers; `labelled` from the live label flags. Reads a copy. */
export function rate(p: Profile | undefined, labelled: boolean, day: number): Rating {
  const s = new Float64Array(6);
  if (p === undefined) {
    const score = labelled ? 100 * WEIGHTS.confirmed_fraud : 0;
    return {
      score,
      grade: gradeOf(score),
      drivers: labelled ? [{ driver: 'confirmed_fraud', severity: 1, points: score, evidence: { labelled: true } }] : [],
      volume: { payments: 0, amountFen: 0, days: PROFILE_DAYS },
    };
  }
  p = p.clone();
  p.roll(day);
  const score = severities(p, labelled, s);
  const t = p.totals;
  const n = t[C.tx];
  const share = (k: number): number => (n > 0 ? Math.round((t[k] / n) * 10_000) / 10_000 : 0);
  const names = Object.keys(WEIGHTS) as TrafficDriver[];
  const evidence: Record<TrafficDriver, Record<string, number | boolean>> = {
    cashout: { payments: t[C.cashout], share: share(C.cashout), accounts: p.cashoutAccounts() },
    code_jumping: { otherMerchantCode: t[C.code], otherMcc: t[C.mcc], otherRegion: t[C.region], share: Math.max(share(C.code), share(C.mcc), share(C.region)) },
    relocation: { farFromBoundAddress: t[C.moved], share: share(C.moved) },
    second_clearing: { unlicensedAcquirer: t[C.unlicensed], unknownAcquirer: t[C.unknownAcquirer], share: share(C.unlicensed) + share(C.unknownAcquirer) },
    confirmed_fraud: { labelled: labelled || p.labelled, fraudPayments30d: p.fraud30, fraudRate30d: Number.isNaN(p.fraudRate) ? 0 : p.fraudRate },
    night_large: { payments: t[C.nightLarge], share: share(C.nightLarge) },
  };
  const drivers = names
    .map((d, i) => ({ driver: d, severity: Math.round(s[i] * 1000) / 1000, points: Math.round(100 * WEIGHTS[d] * s[i] * 100) / 100, evidence: evidence[d] }))
    .filter((d) => d.severity > 0)
    .sort((a, b) => b.points - a.points);
  return { score, grade: gradeOf(score), drivers, volume: { payments: n, amountFen: Math.round(t[C.amount]), days: PROFILE_DAYS } };
}

/** Every merchant code's and terminal's profile, updated with each decided payment. */
export class MerchantProfiles {
  readonly merchants = new Map<string, Profile>();
  readonly terminals = new Map<string, Profile>();
  /**
   * The last day (epoch days) profiles were swept; an engine snapshot carries it, so a restored
   * engine sweeps on the same days as one that never stopped.
   */
  sweptDay = -1;

  /**
   * Writes `merchant_risk_score` and `terminal_risk_score` of `tx` (from the traffic before it) into
   * `v`, then counts the payment. Call after the builtins and label features, before the windows.
   */
  observe(tx: TransactionEvent, v: FeatureVector): void {
    const num = v.num;
    const day = Math.floor(tx.t / DAY);
    const m = this.profile(this.merchants, v.str[S_MERCHANT]);
    const t = this.profile(this.terminals, v.str[S_TERMINAL]);
    m.fraudRate = num[M_RATE];
    m.fraud30 = num[M_FRAUD];
    m.labelled = num[M_FLAG] === 1;
    t.fraudRate = num[T_RATE];
    t.fraud30 = num[T_FRAUD];
    t.labelled = num[T_FLAG] === 1;
    m.roll(day);
    t.roll(day);
    num[M_SCORE] = severities(m, false, sev);
    num[T_SCORE] = severities(t, false, sev);
    if (day <= m.lastDay - PROFILE_DAYS && day <= t.lastDay - PROFILE_DAYS) return; // older than any window
    const amount = tx.amount;
    const large = amount >= LARGE;
    const cashout = large && (num[ROUND] === 1 || num[UNDER] === 1 || num[TO_LIMIT] >= 0.8);
    const bit = cashout ? hash(v.str[S_ACCOUNT]) & 63 : -1;
    const flags = scratch;
    flags[C.tx] = 1;
    flags[C.amount] = amount;
    flags[C.cashout] = cashout ? 1 : 0;
    flags[C.code] = num[CODE] === 1 ? 1 : 0;
    flags[C.mcc] = num[MCC] === 1 || num[T_MCC] === 1 ? 1 : 0;
    flags[C.region] = num[REGION] === 1 ? 1 : 0;
    flags[C.moved] = num[T_DIST] > MOVED_KM ? 1 : 0;
    flags[C.unlicensed] = num[UNLICENSED] === 1 ? 1 : 0;
    flags[C.unknownAcquirer] = num[UNKNOWN_Q] === 1 ? 1 : 0;
    flags[C.nightLarge] = large && num[NIGHT] === 1 ? 1 : 0;
    add(m, day, flags, bit);
    add(t, day, flags, bit);
    if (day > this.sweptDay) this.sweep(day);
  }

  private profile(map: Map<string, Profile>, id: string): Profile {
    let p = map.get(id);
    if (p === undefined) {
      p = new Profile();
      map.set(id, p);
    }
    return p;
  }

  /** Forgets codes and terminals with no payment in the window; once per day of event time. */
  private sweep(day: number): void {
    this.sweptDay = day;
    for (const map of [this.merchants, this.terminals]) {
      for (const [id, p] of map) if (p.lastDay <= day - PROFILE_DAYS && !p.labelled) map.delete(id);
    }
  }
}

function add(p: Profile, day: number, flags: Float64Array, bit: number): void {
  if (day <= p.lastDay - PROFILE_DAYS) return;
  const s = slotOf(day);
  const base = s * NC;
  for (let k = 0; k < NC; k++) {
    p.counts[base + k] += flags[k];
    p.totals[k] += flags[k];
  }
  if (bit >= 0) p.bits[2 * s + (bit >>> 5)] |= 1 << (bit & 31);
}
