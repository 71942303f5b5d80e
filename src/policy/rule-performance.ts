/**
 * Rule performance over journaled history: per reason code (a rule reports its name unless it
 * declares a reason; the model's top features appear as `MODEL_…`) and per time bucket, how many
 * payments it hit, what was decided on them, which of them were fraud by the labels known now, the
 * rule's precision, and the money involved — read from the decisions as they were answered.
 *
 * Label semantics are the backtest's (backtest-labels.ts): a payment's own label, latest winning,
 * else a fraud label on its account; a payment without either counts as legitimate (and is also
 * counted as `unlabelled`, so a reader sees how much of "legitimate" is merely unknown). Labels
 * journaled after the range count: fraud is often confirmed weeks later.
 *
 * Synchronous and CPU-bound: a server runs it in a worker (src/report/worker-runner.ts).
 */
import { ConfigError } from '../errors.js';
import { figuresOf, labelCounts, ratio, type Cell, type OutcomeCounts } from '../eval/cell.js';
import { Tally } from '../eval/tally.js';
import type { Journal } from '../log/journal.js';
import { lastSeqOf, runOnJournal, runOnSource, type JournalProgram, type JournalSource } from '../log/journal-reads.js';
import { bucketLabel, bucketStart, checkBuckets, rangeView, type Bucket, type RangeView } from '../report/range.js';
import { scanLabelsProgram, type EntityScope } from './backtest-labels.js';
import type { LiveDecision } from './backtest-live.js';
import type { LabelSummary, TxTruth } from './backtest-report.js';
import { scanPaymentsProgram, type PaymentRow, type ScanStats } from './rule-performance-read.js';

/** What happened to the payments one rule (or all rules) hit, in one bucket or overall. */
export interface RuleStats {
  /** payments carrying the code (each payment once, however often the code appears on it). */
  readonly hits: number;
  /** their value, minor units. */
  readonly amount: number;
  readonly outcomes: OutcomeCounts;
  /** hits that are fraud by the labels known now, and their value. */
  readonly fraud: number;
  readonly fraudAmount: number;
  /** hits not labelled fraud (unlabelled included), and their value. */
  readonly legitimate: number;
  readonly legitimateAmount: number;
  /** hits nothing is known about (inside `legitimate`). */
  readonly unlabelled: number;
  /** fraud hits that were not approved (declined, challenged or reviewed). */
  readonly fraudStopped: number;
  /** fraud / hits; null without hits. */
  readonly precision: number | null;
  /** fraud hits / all fraud payments of the same bucket (or range); null without fraud. */
  readonly recall: number | null;
}

/** One bucket of a rule's series. */
export interface BucketStats extends RuleStats {
  /** bucket start, epoch ms. */
  readonly start: number;
  /** the bucket in local time (`2026-11-10`, `2026-11-10 13:00`). */
  readonly label: string;
}

/** One reason code's figures over the range, and per bucket (buckets without hits left out). */
export interface RuleRow extends RuleStats {
  readonly code: string;
  readonly series: readonly BucketStats[];
}

/** Everything `GET /v1/rules/performance` and `fengkong rules performance` report. */
export interface RulePerformanceReport {
  readonly version: 1;
  /** payments with from ≤ t < to (event time); null = unbounded. */
  readonly range: RangeView;
  readonly bucket: Bucket;
  /** buckets are cut in this zone (Asia/Shanghai). */
  readonly timeZone: '+08:00';
  /** the labels known now, and what they say about the payments of the range. */
  readonly labels: LabelSummary;
  /** every payment of the range, as if one rule hit them all (hits = payments, precision = fraud share). */
  readonly totals: RuleRow;
  /** per reason code, most hits first. */
  readonly rules: readonly RuleRow[];
  readonly run: ScanRun;
}

/** How a report's pass over the journal went (rule performance and the risk report read it the same way). */
export interface ScanRun {
  readonly lastSeq: number;
  readonly firstSeq: number;
  readonly endSeq: number;
  readonly paymentsRead: number;
  readonly withoutDecision: number;
  readonly durationMs: number;
}

/** The `run` section of a journal report, so both reports word it alike; `started` is performance.now() at the start. */
export function scanRun(scan: ScanStats, started: number): ScanRun {
  return {
    lastSeq: scan.lastSeq,
    firstSeq: scan.firstSeq,
    endSeq: scan.endSeq,
    paymentsRead: scan.read,
    withoutDecision: scan.withoutDecision,
    durationMs: Math.round(performance.now() - started),
  };
}

/** One code's figures (or all payments') from its cell; recall against `fraudOfAll`, the fraud of the same bucket or range. */
function ruleStats(c: Cell, fraudOfAll: number): RuleStats {
  const f = figuresOf(c);
  return {
    hits: f.payments,
    amount: f.amount,
    outcomes: f.outcomes,
    fraud: f.fraud,
    fraudAmount: f.fraudAmount,
    legitimate: f.legitimate,
    legitimateAmount: f.legitimateAmount,
    unlabelled: f.unlabelled,
    fraudStopped: f.caught,
    precision: ratio(f.fraud, f.payments),
    recall: ratio(f.fraud, fraudOfAll),
  };
}

/**
 * Every reason code of a tally with its figures over the whole tally, most hits first (then by
 * code): the rows of rule performance, and the risk report's rules as they are.
 */
export function codeStats(t: Tally): (RuleStats & { readonly code: string })[] {
  const fraudOfAll = figuresOf(t.total).fraud;
  return [...t.codes]
    .map(([code, c]) => ({ code, ...ruleStats(c, fraudOfAll) }))
    .sort((a, b) => b.hits - a.hits || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * The shared tally over the range and one per time bucket, fed payment by payment; `finish`
 * freezes them into rows, each code's series read from the bucket tallies.
 */
class RuleTally {
  readonly all = new Tally();
  private readonly buckets = new Map<number, Tally>();
  private lastT = NaN;
  private lastBucket: Tally | null = null;

  constructor(readonly bucket: Bucket) {}

  /** Counts one payment: its value, the outcome answered, its truth and the reason codes it carried. */
  add(p: PaymentRow, d: LiveDecision, truth: TxTruth | null): void {
    if (p.t !== this.lastT || this.lastBucket === null) {
      this.lastT = p.t;
      this.lastBucket = this.bucketOf(bucketStart(p.t, this.bucket));
    }
    this.all.add(d.policy, d.outcome, d.score, d.reasons, p.amount, truth);
    this.lastBucket.add(d.policy, d.outcome, d.score, d.reasons, p.amount, truth);
  }

  /** The totals row and the per-code rows, most hits first (then by code). */
  finish(): { totals: RuleRow; rules: RuleRow[] } {
    const buckets = [...this.buckets]
      .sort((x, y) => x[0] - y[0])
      .map(([start, t]) => ({ start, label: bucketLabel(start, this.bucket), t, fraud: figuresOf(t.total).fraud }));
    const series = (cellIn: (t: Tally) => Cell | undefined): BucketStats[] => {
      const out: BucketStats[] = [];
      for (const b of buckets) {
        const c = cellIn(b.t);
        if (c !== undefined) out.push({ start: b.start, label: b.label, ...ruleStats(c, b.fraud) });
      }
      return out;
    };
    const rules = codeStats(this.all).map((r): RuleRow => ({ ...r, series: series((t) => t.codes.get(r.code)) }));
    const totals: RuleRow = { code: '*', ...ruleStats(this.all.total, figuresOf(this.all.total).fraud), series: series((t) => t.total) };
    return { totals, rules };
  }

  private bucketOf(start: number): Tally {
    let t = this.buckets.get(start);
    if (t === undefined) {
      t = new Tally();
      this.buckets.set(start, t);
    }
    return t;
  }
}

/** What to report on. */
export interface RulePerformanceOptions {
  /** first event time counted, epoch ms, inclusive (default: the start of the journal). */
  readonly from?: number | undefined;
  /** end, epoch ms, exclusive (default: the end of the journal). */
  readonly to?: number | undefined;
  /** default `day`. */
  readonly bucket?: Bucket | undefined;
  /** entity labels that mark a payment without its own label as fraud (default: account). */
  readonly entityLabels?: readonly EntityScope[] | undefined;
  /** called now and then with where the scan is. */
  readonly onProgress?: ((p: ScanProgress) => void) | undefined;
}

/** What to report on: a data folder's journal. */
export interface RulePerformanceInput extends RulePerformanceOptions {
  readonly journal: Journal;
}

/** Where a journal report is. */
export interface ScanProgress {
  /** `labels`: reading the labels known now; `payments`: the pass over the range. */
  readonly phase: 'labels' | 'payments';
  /** last seq read, of lastSeq. */
  readonly seq: number;
  readonly lastSeq: number;
  /** payments of the range counted so far. */
  readonly payments: number;
  readonly elapsedMs: number;
}

/** Runs the scan and tallies every reason code; see the module comment for the semantics. */
export function runRulePerformance(input: RulePerformanceInput): RulePerformanceReport {
  return runOnJournal(input.journal, rulePerformanceProgram(input));
}

/** The same report over an asynchronous source (a cluster's PostgreSQL projection), read a page at a time. */
export function runRulePerformanceFrom(source: JournalSource, options: RulePerformanceOptions): Promise<RulePerformanceReport> {
  return runOnSource(source, rulePerformanceProgram(options));
}

/** The report as a JournalProgram (log/journal-reads.ts): one body for both drivers. */
function* rulePerformanceProgram(input: RulePerformanceOptions): JournalProgram<RulePerformanceReport> {
  const started = performance.now();
  const from = input.from ?? -Infinity;
  const to = input.to ?? Infinity;
  if (!(from < to)) throw new ConfigError(`rule performance range is empty: from ${from} is not before to ${to}`);
  const bucket = input.bucket ?? 'day';
  if (Number.isFinite(from) && Number.isFinite(to)) checkBuckets(from, to, bucket);
  const scopes = input.entityLabels ?? ['account'];
  const lastSeq = yield* lastSeqOf();
  const progress = (phase: ScanProgress['phase'], seq: number, payments: number): void =>
    input.onProgress?.({ phase, seq, lastSeq, payments, elapsedMs: performance.now() - started });

  progress('labels', 0, 0);
  const labels = yield* scanLabelsProgram(lastSeq, scopes);
  const tally = new RuleTally(bucket);
  const scan = yield* scanPaymentsProgram(
    labels,
    lastSeq,
    { from, to },
    (p, d, truth) => tally.add(p, d, truth),
    (seq, payments) => progress('payments', seq, payments),
  );
  const { totals, rules } = tally.finish();
  return {
    version: 1,
    range: rangeView(from, to),
    bucket,
    timeZone: '+08:00',
    labels: { events: labels.events, entityScopes: [...scopes], ...labelCounts(tally.all.total) },
    totals,
    rules,
    run: scanRun(scan, started),
  };
}

