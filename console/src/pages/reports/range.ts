/**
 * The Reports page's range: dates in Asia/Shanghai as the analyst picks them (the last day included),
 * turned into the parameters of `GET /v1/reports/risk` — `from` and `to` as dates meaning midnight
 * +08:00, `to` the day after the last one, since the report covers [from, to) — and the bucket.
 */
import { withQuery } from '../../api/client';
import { formatTime } from '../../ui/format';

/** The report's time buckets; `auto` leaves the server to choose (hours up to 3 days, days up to 180, then weeks). */
export const BUCKETS = ['auto', 'hour', 'day', 'week'] as const;
export type BucketChoice = (typeof BUCKETS)[number];

/** A range as the form holds it: first and last day (YYYY-MM-DD, Asia/Shanghai), both included. */
export interface ReportRange {
  readonly first: string;
  readonly last: string;
  readonly bucket: BucketChoice;
}

const DAY = 86_400_000;
const DATE = /^\d{4}-\d\d-\d\d$/;

/** The Asia/Shanghai date of an instant. */
export function shanghaiDate(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

/** The day after a date (calendar arithmetic, no time zone involved). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + DAY).toISOString().slice(0, 10);
}

/** The last seven days up to today, in Asia/Shanghai. */
export function defaultRange(nowMs: number): ReportRange {
  return { first: shanghaiDate(nowMs - 6 * DAY), last: shanghaiDate(nowMs), bucket: 'auto' };
}

/** What is wrong with a range, or null. */
export function rangeProblem(r: ReportRange): 'date' | 'order' | null {
  if (!DATE.test(r.first) || !DATE.test(r.last) || Number.isNaN(Date.parse(r.first)) || Number.isNaN(Date.parse(r.last))) return 'date';
  return r.first > r.last ? 'order' : null;
}

/** The query parameters of a range. */
export function reportParams(r: ReportRange): { from: string; to: string; bucket?: string } {
  const p = { from: r.first, to: nextDay(r.last) };
  return r.bucket === 'auto' ? p : { ...p, bucket: r.bucket };
}

/** The path of the report over a range, as JSON or as the printable HTML. */
export function reportPath(r: ReportRange, format: 'json' | 'html' = 'json'): string {
  return withQuery('/v1/reports/risk', { ...reportParams(r), format: format === 'html' ? 'html' : undefined });
}

/** The file name of the downloaded HTML. */
export function reportFileName(r: ReportRange): string {
  return `fengkong-risk-report-${r.first}-to-${r.last}.html`;
}
