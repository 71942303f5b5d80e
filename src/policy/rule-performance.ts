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
import { OUTCOMES, outcomeRank, type Outcome } from '../rules/policy-types.js';
import type { Journal } from '../log/journal.js';
import { bucketLabel, bucketStart, checkBuckets, rangeView, type Bucket, type RangeView } from '../report/range.js';
import { scanLabels, type EntityScope } from './backtest-labels.js';
import type { LiveDecision } from './backtest-live.js';
import { countTruth, newLabelCounts, type LabelSummary, type OutcomeCounts, type TxTruth } from './backtest-report.js';
import { scanPayments, type PaymentRow } from './rule-performance-read.js';

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
  readonly run: {
    readonly lastSeq: number;
    readonly firstSeq: number;
    readonly endSeq: number;
    readonly paymentsRead: number;
    readonly withoutDecision: number;
    readonly durationMs: number;
  };
}

// slots of one cell
const HITS = 0;
const AMOUNT = 1;
const OUT0 = 2; // 2..5: by outcomeRank (approve, review, challenge, decline)
const FRAUD = 6;
const FRAUD_AMOUNT = 7;
const LEGIT = 8;
const LEGIT_AMOUNT = 9;
const UNLABELLED = 10;
const STOPPED = 11;
const SLOTS = 12;


/** A code's counters: overall and per bucket start. */
class Cells {
  readonly total = new Float64Array(SLOTS);
  readonly buckets = new Map<number, Float64Array>();

  cell(b: number, series: boolean): Float64Array | null {
    if (!series) return null;
    let c = this.buckets.get(b);
    if (c === undefined) {
      c = new Float64Array(SLOTS);
      this.buckets.set(b, c);
    }
    return c;
  }
}

function bump(c: Float64Array, amount: number, outcome: number, truth: TxTruth | null): void {
  c[HITS]++;
  c[AMOUNT] += amount;
  c[OUT0 + outcome]++;
  if (truth !== null && truth.fraud) {
    c[FRAUD]++;
    c[FRAUD_AMOUNT] += amount;
    if (outcome !== 0) c[STOPPED]++;
  } else {
    c[LEGIT]++;
    c[LEGIT_AMOUNT] += amount;
    if (truth === null) c[UNLABELLED]++;
  }
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function stats(c: Float64Array, fraudOfAll: number): RuleStats {
  const outcomes = {} as Record<Outcome, number>;
  for (const o of OUTCOMES) outcomes[o] = c[OUT0 + outcomeRank(o)];
  return {
    hits: c[HITS],
    amount: c[AMOUNT],
    outcomes,
    fraud: c[FRAUD],
    fraudAmount: c[FRAUD_AMOUNT],
    legitimate: c[LEGIT],
    legitimateAmount: c[LEGIT_AMOUNT],
    unlabelled: c[UNLABELLED],
    fraudStopped: c[STOPPED],
    precision: ratio(c[FRAUD], c[HITS]),
    recall: ratio(c[FRAUD], fraudOfAll),
  };
}

/**
 * Accumulates rule figures payment by payment (the risk report feeds it from its own pass);
 * `finish` freezes them into rows.
 */
export class RuleTally {
  private readonly codes = new Map<string, Cells>();
  private readonly all = new Cells();
  private lastT = NaN;
  private lastBucket = 0;
  /** Scratch for de-duplicating one payment's codes. */
  private readonly seen: string[] = [];

  /** `series`: keep per-bucket figures (off: totals only, for callers that only show those). */
  constructor(
    readonly bucket: Bucket,
    private readonly series = true,
  ) {}

  /** Counts one payment: its value, the outcome answered, its truth and the reason codes it carried. */
  add(p: PaymentRow, d: LiveDecision, truth: TxTruth | null): void {
    if (p.t !== this.lastT) {
      this.lastT = p.t;
      this.lastBucket = bucketStart(p.t, this.bucket);
    }
    const b = this.lastBucket;
    const o = outcomeRank(d.outcome);
    bump(this.all.total, p.amount, o, truth);
    const ac = this.all.cell(b, this.series);
    if (ac !== null) bump(ac, p.amount, o, truth);
    const reasons = d.reasons;
    if (reasons.length === 0) return;
    const seen = this.seen;
    seen.length = 0;
    for (let i = 0; i < reasons.length; i++) {
      const code = reasons[i].code;
      if (seen.includes(code)) continue;
      seen.push(code);
      let cells = this.codes.get(code);
      if (cells === undefined) {
        cells = new Cells();
        this.codes.set(code, cells);
      }
      bump(cells.total, p.amount, o, truth);
      const c = cells.cell(b, this.series);
      if (c !== null) bump(c, p.amount, o, truth);
    }
  }

  /** The totals row and the per-code rows, most hits first (then by code). */
  finish(): { totals: RuleRow; rules: RuleRow[] } {
    const fraudAll = this.all.total[FRAUD];
    const fraudByBucket = new Map<number, number>();
    for (const [b, c] of this.all.buckets) fraudByBucket.set(b, c[FRAUD]);
    const row = (code: string, cells: Cells): RuleRow => {
      const series = [...cells.buckets]
        .sort((x, y) => x[0] - y[0])
        .map(([start, c]): BucketStats => ({ start, label: bucketLabel(start, this.bucket), ...stats(c, fraudByBucket.get(start) ?? 0) }));
      return { code, ...stats(cells.total, fraudAll), series };
    };
    const rules = [...this.codes]
      .map(([code, cells]) => row(code, cells))
      .sort((a, b) => b.hits - a.hits || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    return { totals: row('*', this.all), rules };
  }
}

/** What to report on. */
export interface RulePerformanceInput {
  readonly journal: Journal;
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
  const started = performance.now();
  const from = input.from ?? -Infinity;
  const to = input.to ?? Infinity;
  if (!(from < to)) throw new ConfigError(`rule performance range is empty: from ${from} is not before to ${to}`);
  const bucket = input.bucket ?? 'day';
  if (Number.isFinite(from) && Number.isFinite(to)) checkBuckets(from, to, bucket);
  const scopes = input.entityLabels ?? ['account'];
  const journal = input.journal;
  const lastSeq = journal.lastSeq();
  const progress = (phase: ScanProgress['phase'], seq: number, payments: number): void =>
    input.onProgress?.({ phase, seq, lastSeq, payments, elapsedMs: performance.now() - started });

  progress('labels', 0, 0);
  const labels = scanLabels(journal, lastSeq, scopes);
  const tally = new RuleTally(bucket);
  const counts = newLabelCounts();
  const scan = scanPayments(
    journal,
    labels,
    lastSeq,
    { from, to },
    (p, d, truth) => {
      countTruth(counts, truth);
      tally.add(p, d, truth);
    },
    (seq, payments) => progress('payments', seq, payments),
  );
  const { totals, rules } = tally.finish();
  return {
    version: 1,
    range: rangeView(from, to),
    bucket,
    timeZone: '+08:00',
    labels: { events: labels.events, entityScopes: [...scopes], ...counts },
    totals,
    rules,
    run: {
      lastSeq,
      firstSeq: scan.firstSeq,
      endSeq: scan.endSeq,
      paymentsRead: scan.read,
      withoutDecision: scan.withoutDecision,
      durationMs: Math.round(performance.now() - started),
    },
  };
}

