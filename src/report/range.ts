/**
 * Time bounds and buckets shared by the journal reports (rule performance, the risk report) and
 * their CLI and HTTP front ends: one way to write a bound (epoch ms, a contract timestamp, or a
 * date meaning midnight in Asia/Shanghai) and one way to cut time into hours, days and ISO weeks of
 * the zone risk teams in China read (UTC+8, no daylight saving, so a fixed offset is exact).
 */
import { formatShanghai, parseTimestamp } from '../contract/time.js';
import { ContractError } from '../errors.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const OFFSET = 8 * HOUR;
/** 1970-01-05, a Monday: ISO weeks start on Mondays. */
const MONDAY = 4 * DAY;

/** How a report cuts time. */
export type Bucket = 'hour' | 'day' | 'week';

/** Every bucket size, for argument checking. */
export const BUCKETS: readonly Bucket[] = ['hour', 'day', 'week'];

/** What a bound may look like, for error messages. */
export const BOUND_EXPECTED = 'epoch milliseconds, a timestamp like 2026-11-01T00:00:00+08:00, or a date like 2026-11-01 (midnight +08:00)';

/** The most buckets one report cuts a range into. */
export const MAX_BUCKETS = 5_000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of a bound as written (see BOUND_EXPECTED), or NaN when it is none of those. */
export function parseBound(text: string): number {
  const s = text.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  return parseTimestamp(DATE_ONLY.test(s) ? `${s}T00:00:00+08:00` : s);
}

/** A bound given as a JSON value: an integer (epoch ms) or a string as parseBound reads it. */
export function boundValue(v: unknown, name: string): number {
  const t = typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 0 ? v : NaN) : typeof v === 'string' ? parseBound(v) : NaN;
  if (!Number.isFinite(t)) throw new ContractError(name, BOUND_EXPECTED);
  return t;
}

/** An optional bound of a query string; a ContractError naming the parameter when it does not read. */
export function queryBound(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  return boundValue(raw, name);
}

/** Checks that a range is not empty: `to` is named when it is not after `from`. */
export function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && !(from < to)) {
    throw new ContractError('to', `a time after from (${formatShanghai(from)})`);
  }
}

/** A bucket size from text; a ContractError naming `name` otherwise. */
export function bucketValue(v: unknown, name = 'bucket'): Bucket {
  if (typeof v === 'string' && (BUCKETS as readonly string[]).includes(v)) return v as Bucket;
  throw new ContractError(name, `one of ${BUCKETS.join(', ')}`);
}

/** The length of a bucket in ms. */
export function bucketMs(b: Bucket): number {
  return b === 'hour' ? HOUR : b === 'day' ? DAY : WEEK;
}

/** The start (epoch ms) of the bucket holding `t`: the hour, the local day, or the local ISO week (Monday). */
export function bucketStart(t: number, b: Bucket): number {
  if (b === 'hour') return Math.floor(t / HOUR) * HOUR;
  if (b === 'day') return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
  return Math.floor((t + OFFSET - MONDAY) / WEEK) * WEEK + MONDAY - OFFSET;
}

/** A bucket's name in local time: `2026-11-10 13:00`, `2026-11-10`, or the week's Monday `2026-11-09`. */
export function bucketLabel(start: number, b: Bucket): string {
  const s = formatShanghai(start);
  return b === 'hour' ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s.slice(0, 10);
}

/** How many buckets of size `b` cover [from, to). */
export function bucketCount(from: number, to: number, b: Bucket): number {
  if (!(from < to)) return 0;
  return Math.round((bucketStart(to - 1, b) - bucketStart(from, b)) / bucketMs(b)) + 1;
}

/** Refuses a range cut into more than MAX_BUCKETS buckets, naming the bucket parameter. */
export function checkBuckets(from: number, to: number, b: Bucket, name = 'bucket'): void {
  const n = bucketCount(from, to, b);
  if (n > MAX_BUCKETS) {
    throw new ContractError(name, `a coarser bucket: ${n} ${b}s exceed the ${MAX_BUCKETS} a report draws (or a shorter range)`);
  }
}

/** The bucket a report over [from, to) uses unless told: hours up to 3 days, days up to 180, then weeks. */
export function defaultBucket(from: number, to: number): Bucket {
  const span = to - from;
  return span <= 3 * DAY ? 'hour' : span <= 180 * DAY ? 'day' : 'week';
}

/** A range as reports print it: epoch ms and local timestamps (null = unbounded). */
export interface RangeView {
  readonly from: number | null;
  readonly to: number | null;
  readonly fromTs: string | null;
  readonly toTs: string | null;
}

/** The view of [from, to); infinite bounds become null. */
export function rangeView(from: number, to: number): RangeView {
  const f = Number.isFinite(from);
  const t = Number.isFinite(to);
  return { from: f ? from : null, to: t ? to : null, fromTs: f ? formatShanghai(from) : null, toTs: t ? formatShanghai(to) : null };
}
