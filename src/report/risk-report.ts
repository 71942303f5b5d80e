/**
 * The risk assessment report: over an event-time range of journaled history, volumes and outcomes
 * over time, fraud caught and missed by the labels known now, money saved and legitimate money
 * declined, rule precision, the score distribution and its drift (PSI) against the previous period
 * of equal length, the riskiest merchants and terminals, and the open cases with their age.
 *
 * One label scan (labels known now, as the backtest's), then one pass over the range and the
 * previous period (journal range read, transaction rows only). The live decisions are the ones
 * answered, read from the journal. A plain JSON-serialisable object: the HTML (html.ts), the JSON
 * file, the HTTP answer and a worker's message all carry it unchanged.
 */
import { formatShanghai } from '../contract/time.js';
import type { ResultKind } from '../io/result-kind.js';
import { ConfigError } from '../errors.js';
import { scanLabelsProgram, type EntityScope } from '../policy/backtest-labels.js';
import { cellOf, countInto, labelCounts, type Cell } from '../eval/cell.js';
import { NO_CODES, Tally } from '../eval/tally.js';
import type { LabelSummary } from '../policy/backtest-report.js';
import { codeStats, scanRun, type RuleStats, type ScanProgress, type ScanRun } from '../policy/rule-performance.js';
import { scanPaymentsProgram } from '../policy/rule-performance-read.js';
import { outcomeRank } from '../rules/policy-types.js';
import type { Journal } from '../log/journal.js';
import { lastSeqOf, runOnJournal, runOnSource, type JournalProgram, type JournalSource } from '../log/journal-reads.js';
import { casesSection, type CaseQueue, type CaseQueueReader, type CasesSection } from './cases.js';
import { psi, psiBand, PSI_FLOOR, scoreBin, scoreBinBounds, SCORE_BINS, type PsiBand } from './psi.js';
import type { RatingsSection } from './ratings.js';
import { bucketLabel, bucketMs, bucketStart, checkBuckets, defaultBucket, rangeView, type Bucket, type RangeView } from './range.js';
import { periodFigures, topEntities, type PeriodFigures, type TopEntities } from './tally.js';

/** One time bucket of the range. */
export interface BucketFigures extends PeriodFigures {
  /** epoch ms. */
  readonly start: number;
  readonly label: string;
}

/** A rule in the report: its figures over the range. */
export interface ReportRule extends RuleStats {
  readonly code: string;
}

/** Everything the risk report says. */
export interface RiskReport {
  readonly version: 1;
  /** wall-clock time it was made (cases' ages are measured at it). */
  readonly generatedAt: number;
  readonly generatedTs: string;
  /** the period reported: payments with from ≤ t < to. */
  readonly range: RangeView;
  /** the period of equal length just before: the reference for PSI and the comparisons. */
  readonly previous: RangeView;
  readonly bucket: Bucket;
  readonly timeZone: '+08:00';
  /** the labels known now and what they say about the period's payments. */
  readonly labels: LabelSummary;
  readonly totals: PeriodFigures;
  readonly previousTotals: PeriodFigures;
  /** every bucket of the period, empty ones included, in time order. */
  readonly series: readonly BucketFigures[];
  /** score histogram of both periods and the drift of this one against the previous. */
  readonly scores: {
    readonly bins: readonly { readonly from: number; readonly to: number }[];
    readonly current: readonly number[];
    readonly previous: readonly number[];
    /** PSI of the period (actual) against the previous period (expected); null when either has no scores. */
    readonly psi: number | null;
    readonly band: PsiBand | null;
    readonly reference: 'previous period';
    readonly floor: number;
  };
  /** per reason code, most hits first. */
  readonly rules: readonly ReportRule[];
  readonly merchants: TopEntities;
  readonly terminals: TopEntities;
  readonly cases: CasesSection;
  /** the live engine's current merchant and terminal ratings; null without a live engine (the CLI). */
  readonly ratings: RatingsSection | null;
  readonly run: ScanRun;
}

/** How to report, whatever the journal is read from. */
export interface RiskReportOptions {
  /** epoch ms, inclusive. */
  readonly from: number;
  /** epoch ms, exclusive. */
  readonly to: number;
  /** default: hours up to 3 days, days up to 180, weeks beyond. */
  readonly bucket?: Bucket | undefined;
  /** how many merchants and terminals each top list holds (default 10). */
  readonly top?: number | undefined;
  /** the fewest payments an entity needs to rank by flagged share (default 20). */
  readonly minPayments?: number | undefined;
  /** entity labels that mark a payment without its own label as fraud (default: account). */
  readonly entityLabels?: readonly EntityScope[] | undefined;
  /** wall clock for cases' ages (default Date.now()). */
  readonly now?: number | undefined;
  readonly onProgress?: ((p: ScanProgress) => void) | undefined;
}

/** What to report on: a data folder's journal and case queue. */
export interface RiskReportInput extends RiskReportOptions {
  readonly journal: Journal;
  /** the data folder's case queue; cases are reported unavailable without it. */
  readonly cases?: CaseQueueReader<'sync'> | undefined;
}

/** Makes the report; see the module comment. */
export function runRiskReport(input: RiskReportInput): RiskReport {
  return runOnJournal(input.journal, riskReportProgram(input, input.cases?.readCaseQueue()));
}

/**
 * The same report over an asynchronous source (a cluster's PostgreSQL projection), read a page at
 * a time; `cases` is the cluster's case queue, read before the history (cases' ages are measured
 * at the report's time either way).
 */
export async function runRiskReportFrom(source: JournalSource, options: RiskReportOptions, cases?: CaseQueueReader<ResultKind>): Promise<RiskReport> {
  const queue = cases === undefined ? undefined : await cases.readCaseQueue();
  return runOnSource(source, riskReportProgram(options, queue));
}

/** The report as a JournalProgram (log/journal-reads.ts): one body for both drivers. */
function* riskReportProgram(input: RiskReportOptions, queue: CaseQueue | undefined): JournalProgram<RiskReport> {
  const started = performance.now();
  const { from, to } = input;
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new ConfigError('a risk report needs a bounded range (from and to)');
  if (!(from < to)) throw new ConfigError(`report range is empty: from ${formatShanghai(from)} is not before to ${formatShanghai(to)}`);
  const bucket = input.bucket ?? defaultBucket(from, to);
  checkBuckets(from, to, bucket);
  const prevFrom = from - (to - from);
  const scopes = input.entityLabels ?? ['account'];
  const lastSeq = yield* lastSeqOf();
  const progress = (phase: ScanProgress['phase'], seq: number, payments: number): void =>
    input.onProgress?.({ phase, seq, lastSeq, payments, elapsedMs: performance.now() - started });

  progress('labels', 0, 0);
  const labels = yield* scanLabelsProgram(lastSeq, scopes);

  // the period with its reason codes; the previous period and the buckets as totals only
  const current = new Tally();
  const previous = new Tally();
  const first = bucketStart(from, bucket);
  const step = bucketMs(bucket);
  const buckets: Tally[] = [];
  const starts: number[] = [];
  for (let b = first; b < to; b += step) {
    starts.push(b);
    buckets.push(new Tally());
  }
  const histCurrent = new Array<number>(SCORE_BINS).fill(0);
  const histPrevious = new Array<number>(SCORE_BINS).fill(0);
  const merchants = new Map<string, Cell>();
  const terminals = new Map<string, Cell>();
  let lastT = NaN;
  let lastIndex = 0;

  const scan = yield* scanPaymentsProgram(
    labels,
    lastSeq,
    { from: prevFrom, to },
    (p, d, truth) => {
      if (p.t < from) {
        previous.add(d.policy, d.outcome, d.score, NO_CODES, p.amount, truth);
        if (d.score !== null) histPrevious[scoreBin(d.score)]++;
        return;
      }
      current.add(d.policy, d.outcome, d.score, d.reasons, p.amount, truth);
      if (p.t !== lastT) {
        lastT = p.t;
        lastIndex = indexOf(starts, bucketStart(p.t, bucket));
      }
      buckets[lastIndex].add(d.policy, d.outcome, d.score, NO_CODES, p.amount, truth);
      if (d.score !== null) histCurrent[scoreBin(d.score)]++;
      const rank = outcomeRank(d.outcome);
      countInto(cellOf(merchants, p.merchantId), rank, p.amount, truth, d.score);
      countInto(cellOf(terminals, p.terminalId), rank, p.amount, truth, d.score);
    },
    (seq, payments) => progress('payments', seq, payments),
  );

  const generatedAt = input.now ?? Date.now();
  const top = input.top ?? 10;
  const minPayments = input.minPayments ?? 20;
  const drift = psi(histCurrent, histPrevious);
  return {
    version: 1,
    generatedAt,
    generatedTs: formatShanghai(generatedAt),
    range: rangeView(from, to),
    previous: rangeView(prevFrom, from),
    bucket,
    timeZone: '+08:00',
    labels: { events: labels.events, entityScopes: [...scopes], ...labelCounts(current.total) },
    totals: periodFigures(current.total),
    previousTotals: periodFigures(previous.total),
    series: buckets.map((t, i) => ({ start: starts[i], label: bucketLabel(starts[i], bucket), ...periodFigures(t.total) })),
    scores: {
      bins: scoreBinBounds(),
      current: histCurrent,
      previous: histPrevious,
      psi: drift,
      band: drift === null ? null : psiBand(drift),
      reference: 'previous period',
      floor: PSI_FLOOR,
    },
    rules: codeStats(current),
    merchants: topEntities(merchants, top, minPayments),
    terminals: topEntities(terminals, top, minPayments),
    cases: queue === undefined ? { available: false, note: 'no case queue given' } : casesSection(queue, generatedAt),
    ratings: null,
    run: scanRun(scan, started),
  };
}

/** Index of `start` in the ascending `starts` (binary search; every in-range payment's bucket is there). */
function indexOf(starts: readonly number[], start: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
