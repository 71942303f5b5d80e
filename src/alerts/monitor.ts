/**
 * Alerts on what the decisions say (issue 16, item 3): the decline, challenge and review rates, each
 * rule's hit rate and the fraud labels of an hour, each against the same hour of the past seven days
 * — traffic has a daily rhythm, so 03:00 is compared with other nights, not with the lunch peak.
 *
 * A consumer of the journal feed (detectors/feed.ts): it sees every answered payment and label once,
 * in order, and rebuilds its hours from the journal tail at a restart (entries with `act` false
 * update the hours but raise nothing). Hours are of event time, in Asia/Shanghai like the reports.
 *
 * The bounds (docs/automation.md, "Alerts"):
 * - a rate (share of the hour's payments): raised when the hour has at least MIN_HOUR_PAYMENTS
 *   payments, the same hour of past days at least MIN_BASELINE_PAYMENTS in all, and the hour's share
 *   passes the past share by more than Z standard errors of the hour's own count and by RATE_FLOOR
 *   (2 points) — a binomial test that a quiet hour's noise does not trip;
 * - fraud labels of an hour: at least MIN_LABELS and more than the past days' mean by Z × √mean
 *   (Poisson), the mean taken as at least 1.
 * Each (metric, hour) is raised at most once, when it first crosses the bound.
 */
import type { FeedConsumer, FeedEntry } from '../detectors/types.js';

const HOUR = 3_600_000;
/** Asia/Shanghai is UTC+8 all year: hour boundaries as the risk team reads them. */
const SHANGHAI = 8 * HOUR;
/** Days of history each hour is compared with. */
export const BASELINE_DAYS = 7;
/** Fewest payments an hour needs before its rates are judged: a quiet hour's few declines are not a trend. */
export const MIN_HOUR_PAYMENTS = 50;
/** Fewest payments the same hour of past days needs in all to be a baseline. */
export const MIN_BASELINE_PAYMENTS = 200;
/** Standard errors above the past for a rate or a count to alert. */
export const Z = 4;
/** A rate must also be this much above the past share (absolute), so a tiny base does not alert on noise. */
export const RATE_FLOOR = 0.02;
/** Fewest fraud labels an hour needs before it can alert. */
export const MIN_LABELS = 10;

/** What an alert is about. */
export type AlertMetric = 'decline_rate' | 'challenge_rate' | 'review_rate' | 'rule_hit_rate' | 'fraud_labels' | 'latency_p99' | 'journal_lag' | 'case_feed_lag' | 'rule_actions_capped' | 'detector_actions_capped';

/** An alert as the monitor raises it. */
export interface RaisedAlert {
  readonly metric: AlertMetric;
  /** The rule's code for rule_hit_rate, the rule's name for rule_actions_capped; null otherwise. */
  readonly subject: string | null;
  /** The hour's start, epoch ms (event time). */
  readonly hour: number;
  readonly observed: number;
  /** The past days' value of the same hour. */
  readonly expected: number;
  /** The value past which it alerts. */
  readonly bound: number;
  /** Payments in the hour (labels for fraud_labels). */
  readonly count: number;
  readonly message: string;
}

interface HourStats {
  payments: number;
  decline: number;
  challenge: number;
  review: number;
  labels: number;
  readonly rules: Map<string, number>;
}

const RATES: readonly ('decline' | 'challenge' | 'review')[] = ['decline', 'challenge', 'review'];

/** The hour (index since the epoch, Shanghai time) of `t`. */
function hourOf(t: number): number {
  return Math.floor((t + SHANGHAI) / HOUR);
}

function fmtHour(h: number): string {
  return `${new Date(h * HOUR).toISOString().slice(0, 13).replace('T', ' ')}:00 (Asia/Shanghai)`;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The feed consumer; `raise` records an alert (the alert service: a row and its audit entry). */
export class AlertMonitor implements FeedConsumer {
  readonly name = 'alerts';
  private readonly hours = new Map<number, HourStats>();
  private readonly raised = new Set<string>();
  private newest = -Infinity;

  constructor(private readonly raise: (a: RaisedAlert) => void) {}

  consume(entry: FeedEntry): void {
    const e = entry.event;
    if (e.type === 'transaction' && entry.decision !== null) {
      const h = hourOf(e.t);
      const s = this.stats(h);
      s.payments++;
      const o = entry.decision.outcome;
      if (o === 'decline') s.decline++;
      else if (o === 'challenge') s.challenge++;
      else if (o === 'review') s.review++;
      for (const r of entry.decision.reasons) s.rules.set(r.code, (s.rules.get(r.code) ?? 0) + 1);
      if (entry.act) this.checkPayments(h, s, entry.decision.reasons);
    } else if (e.type === 'label' && e.fraud) {
      const h = hourOf(e.t);
      const s = this.stats(h);
      s.labels++;
      if (entry.act) this.checkLabels(h, s);
    }
  }

  private stats(h: number): HourStats {
    let s = this.hours.get(h);
    if (s === undefined) {
      s = { payments: 0, decline: 0, challenge: 0, review: 0, labels: 0, rules: new Map() };
      this.hours.set(h, s);
      if (h > this.newest) {
        this.newest = h;
        // forget what no comparison reads any more
        for (const k of this.hours.keys()) if (k < h - 24 * BASELINE_DAYS - 1) this.hours.delete(k);
        for (const k of this.raised) if (Number(k.slice(0, k.indexOf(':'))) < h - 24 * BASELINE_DAYS) this.raised.delete(k);
      }
    }
    return s;
  }

  /** The same hour of the past days that have payments in it. */
  private past(h: number): HourStats[] {
    const out: HourStats[] = [];
    for (let d = 1; d <= BASELINE_DAYS; d++) {
      const s = this.hours.get(h - 24 * d);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  private checkPayments(h: number, s: HourStats, reasons: readonly { readonly code: string }[]): void {
    if (s.payments < MIN_HOUR_PAYMENTS) return;
    const past = this.past(h);
    let base = 0;
    for (const p of past) base += p.payments;
    if (base < MIN_BASELINE_PAYMENTS) return;
    for (const k of RATES) {
      let hits = 0;
      for (const p of past) hits += p[k];
      this.checkRate(`${k}_rate` as AlertMetric, null, h, s[k], s.payments, hits / base);
    }
    // a rule's rate is checked when it fires (only the rules of this payment can have just crossed),
    // and every rule of the hour once, when the hour reaches its minimum of payments
    if (s.payments === MIN_HOUR_PAYMENTS) for (const code of s.rules.keys()) this.checkRule(h, s, past, base, code);
    else for (const r of reasons) this.checkRule(h, s, past, base, r.code);
  }

  private checkRule(h: number, s: HourStats, past: readonly HourStats[], base: number, code: string): void {
    let hits = 0;
    for (const p of past) hits += p.rules.get(code) ?? 0;
    this.checkRate('rule_hit_rate', code, h, s.rules.get(code) ?? 0, s.payments, hits / base);
  }

  private checkRate(metric: AlertMetric, subject: string | null, h: number, k: number, n: number, p0: number): void {
    const key = `${h}:${metric}:${subject ?? ''}`;
    if (this.raised.has(key)) return;
    const p = k / n;
    const bound = p0 + Math.max(Z * Math.sqrt(Math.max(p0 * (1 - p0), 1 / n) / n), RATE_FLOOR);
    if (p <= bound) return;
    this.raised.add(key);
    const what = subject === null ? metric.replace('_', ' ') : `rule ${subject}'s hit rate`;
    this.raise({
      metric,
      subject,
      hour: h * HOUR - SHANGHAI,
      observed: p,
      expected: p0,
      bound,
      count: n,
      message: `${what} ${pct(p)} of ${n} payments in the hour from ${fmtHour(h)}, against ${pct(p0)} in the same hour of the past ${BASELINE_DAYS} days (bound ${pct(bound)})`,
    });
  }

  private checkLabels(h: number, s: HourStats): void {
    const key = `${h}:fraud_labels:`;
    if (s.labels < MIN_LABELS || this.raised.has(key)) return;
    const past = this.past(h);
    if (past.length === 0) return;
    let sum = 0;
    for (const p of past) sum += p.labels;
    const mean = sum / past.length;
    const bound = mean + Z * Math.sqrt(Math.max(mean, 1));
    if (s.labels <= bound) return;
    this.raised.add(key);
    this.raise({
      metric: 'fraud_labels',
      subject: null,
      hour: h * HOUR - SHANGHAI,
      observed: s.labels,
      expected: mean,
      bound,
      count: s.labels,
      message: `${s.labels} fraud labels in the hour from ${fmtHour(h)}, against ${mean.toFixed(1)} in the same hour of the past days (bound ${bound.toFixed(1)})`,
    });
  }
}
