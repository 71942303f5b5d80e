/**
 * Rule performance over time from `GET /v1/rules/performance`: the range as the analyst picks it
 * (Asia/Shanghai dates, the last day included) turned into the query, the rows sorted by hits or
 * precision, and one rule's series laid on the range's buckets (a bucket the rule did not hit is 0
 * hits and no precision), ready for a trend chart.
 */
import { withQuery } from '../../api/client';
import type { Outcome } from '../../api/types';
import { formatTime } from '../../ui/format';
import { nextDay, rangeProblem, shanghaiDate } from '../reports/range';

/** Buckets the route takes (no `auto`: it defaults to days). */
export const PERF_BUCKETS = ['hour', 'day', 'week'] as const;
export type PerfBucket = (typeof PERF_BUCKETS)[number];

/** The range as the form holds it: first and last day, both included. */
export interface PerfRange {
  readonly first: string;
  readonly last: string;
  readonly bucket: PerfBucket;
}

/** A rule's figures over the range or one bucket (the answer's fields the console reads). */
export interface PerfStats {
  readonly hits: number;
  readonly amount: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly fraud: number;
  readonly legitimate: number;
  readonly unlabelled: number;
  readonly fraudStopped: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

/** One bucket of a series. */
export interface PerfBucketStats extends PerfStats {
  readonly start: number;
  readonly label: string;
}

/** One reason code. */
export interface PerfRow extends PerfStats {
  readonly code: string;
  readonly series: readonly PerfBucketStats[];
}

/** The answer of `GET /v1/rules/performance`. */
export interface PerfReport {
  readonly version: 1;
  readonly range: { readonly from: number | null; readonly to: number | null };
  readonly bucket: PerfBucket;
  readonly totals: PerfRow;
  readonly rules: readonly PerfRow[];
  readonly labels: { readonly events: number };
}

export type PerfSort = 'hits' | 'precision';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const OFFSET = 8 * HOUR;
/** 1970-01-05, a Monday: weeks start on Mondays (as the server cuts them, src/report/range.ts). */
const MONDAY = 4 * DAY;

/** The start of the bucket holding `t` in Asia/Shanghai, as the server cuts it. */
function bucketStart(t: number, b: PerfBucket): number {
  if (b === 'hour') return Math.floor(t / HOUR) * HOUR;
  if (b === 'day') return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
  return Math.floor((t + OFFSET - MONDAY) / WEEK) * WEEK + MONDAY - OFFSET;
}

/** A bucket on the axis: its start and its name as the server names it (`2026-11-10 13:00`, `2026-11-10`, a week's Monday). */
export interface AxisBucket {
  readonly start: number;
  readonly label: string;
}

/** Every bucket of [from, to), empty ones included (at most `max`). */
export function rangeBuckets(from: number, to: number, b: PerfBucket, max = 5_000): AxisBucket[] {
  const out: AxisBucket[] = [];
  const size = b === 'hour' ? HOUR : b === 'day' ? DAY : WEEK;
  for (let s = bucketStart(from, b); s < to && out.length < max; s += size) {
    const f = formatTime(s);
    out.push({ start: s, label: b === 'hour' ? `${f.slice(0, 10)} ${f.slice(11, 16)}` : f.slice(0, 10) });
  }
  return out;
}

/** The buckets a report's trends are laid on: every bucket of its range, or (unbounded) those with payments. */
export function axisOf(r: PerfReport): AxisBucket[] {
  return r.range.from !== null && r.range.to !== null ? rangeBuckets(r.range.from, r.range.to, r.bucket) : [...r.totals.series];
}

/** The last seven days up to today (Asia/Shanghai), by day. */
export function defaultPerfRange(nowMs: number): PerfRange {
  return { first: shanghaiDate(nowMs - 6 * DAY), last: shanghaiDate(nowMs), bucket: 'day' };
}

/** What is wrong with a range, or null. */
export function perfRangeProblem(r: PerfRange): 'date' | 'order' | null {
  return rangeProblem({ first: r.first, last: r.last, bucket: 'auto' });
}

/** The path of the report: `from` the first day, `to` the day after the last (the route counts [from, to)). */
export function perfPath(r: PerfRange): string {
  return withQuery('/v1/rules/performance', { from: r.first, to: nextDay(r.last), bucket: r.bucket });
}

/**
 * Rows sorted by hits or by precision, highest first; ties (and rules without precision, last) by
 * hits, then by code so the order is stable.
 */
export function sortRows(rows: readonly PerfRow[], by: PerfSort): PerfRow[] {
  return [...rows].sort((a, b) => {
    if (by === 'precision') {
      const pa = a.precision ?? -1;
      const pb = b.precision ?? -1;
      if (pa !== pb) return pb - pa;
    }
    if (a.hits !== b.hits) return b.hits - a.hits;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

/** A rule's trend on the range's buckets (`axis`, the buckets of every payment, in order). */
export interface Trend {
  readonly labels: string[];
  readonly hits: number[];
  /** percent, null where the rule had no hit. */
  readonly precision: (number | null)[];
}

/** Lays a rule's series on the buckets of the range (axisOf). */
export function trendOf(row: PerfRow, axis: readonly AxisBucket[]): Trend {
  const by = new Map(row.series.map((b) => [b.start, b]));
  // a bucket of the rule missing from the axis (cannot happen: a hit is a payment) still shows
  const starts = [...new Set([...axis.map((b) => b.start), ...row.series.map((b) => b.start)])].sort((x, y) => x - y);
  const labelOf = new Map([...axis, ...row.series].map((b) => [b.start, b.label]));
  return {
    labels: starts.map((s) => labelOf.get(s) ?? ''),
    hits: starts.map((s) => by.get(s)?.hits ?? 0),
    precision: starts.map((s) => {
      const p = by.get(s)?.precision;
      return p === undefined || p === null ? null : Math.round(1000 * p) / 10;
    }),
  };
}
