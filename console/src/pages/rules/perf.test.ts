import { describe, expect, it } from 'vitest';
import { axisOf, defaultPerfRange, rangeBuckets, perfPath, perfRangeProblem, sortRows, trendOf, type PerfBucketStats, type PerfRow } from './perf';

const NONE = { approve: 0, review: 0, challenge: 0, decline: 0 };

function stats(hits: number, fraud: number) {
  return { hits, amount: 100 * hits, outcomes: { ...NONE, approve: hits }, fraud, legitimate: hits - fraud, unlabelled: hits - fraud, fraudStopped: 0, precision: hits === 0 ? null : fraud / hits, recall: null };
}

function bucket(start: number, label: string, hits: number, fraud: number): PerfBucketStats {
  return { start, label, ...stats(hits, fraud) };
}

function row(code: string, hits: number, fraud: number, series: PerfBucketStats[] = []): PerfRow {
  return { code, series, ...stats(hits, fraud) };
}

describe('the rule performance query', () => {
  it('asks for [first day, the day after the last) in the chosen bucket', () => {
    expect(perfPath({ first: '2026-11-01', last: '2026-11-07', bucket: 'day' })).toBe('/v1/rules/performance?from=2026-11-01&to=2026-11-08&bucket=day');
    expect(perfPath({ first: '2026-12-31', last: '2026-12-31', bucket: 'hour' })).toBe('/v1/rules/performance?from=2026-12-31&to=2027-01-01&bucket=hour');
  });

  it('defaults to the last seven Shanghai days by day', () => {
    // 2026-12-06 01:00 +08:00 is still 2026-12-05 in UTC
    expect(defaultPerfRange(Date.parse('2026-12-05T17:00:00Z'))).toEqual({ first: '2026-11-30', last: '2026-12-06', bucket: 'day' });
  });

  it('refuses a malformed or reversed range', () => {
    expect(perfRangeProblem({ first: '2026-11-01', last: '2026-11-01', bucket: 'week' })).toBeNull();
    expect(perfRangeProblem({ first: '', last: '2026-11-01', bucket: 'day' })).toBe('date');
    expect(perfRangeProblem({ first: '2026-11-02', last: '2026-11-01', bucket: 'day' })).toBe('order');
  });
});

describe('sorting rules', () => {
  const rows = [row('B', 10, 1), row('A', 10, 5), row('C', 40, 2), row('D', 0, 0), row('E', 3, 3)];

  it('by hits, highest first, ties by code', () => {
    expect(sortRows(rows, 'hits').map((r) => r.code)).toEqual(['C', 'A', 'B', 'E', 'D']);
  });

  it('by precision, highest first, rules without precision last, ties by hits', () => {
    const more = [...rows, row('F', 20, 20)];
    expect(sortRows(more, 'precision').map((r) => r.code)).toEqual(['F', 'E', 'A', 'B', 'C', 'D']);
  });

  it('leaves the answer as it was', () => {
    sortRows(rows, 'precision');
    expect(rows.map((r) => r.code)).toEqual(['B', 'A', 'C', 'D', 'E']);
  });
});

describe('a rule trend', () => {
  it('lays the rule on every bucket of the range, 0 hits and no precision where it did not fire', () => {
    const axis = [bucket(1, 'd1', 50, 1), bucket(2, 'd2', 60, 0), bucket(3, 'd3', 70, 2)];
    const r = row('X', 6, 1, [bucket(3, 'd3', 2, 1), bucket(1, 'd1', 4, 0)]);
    expect(trendOf(r, axis)).toEqual({ labels: ['d1', 'd2', 'd3'], hits: [4, 0, 2], precision: [0, null, 50] });
  });

  it('rounds precision to a tenth of a percent', () => {
    const r = row('X', 3, 1, [bucket(1, 'd1', 3, 1)]);
    expect(trendOf(r, [bucket(1, 'd1', 3, 1)]).precision).toEqual([33.3]);
  });
});

describe('the buckets of a range', () => {
  const from = Date.parse('2026-11-08T00:00:00+08:00'); // a Sunday
  const to = Date.parse('2026-11-11T00:00:00+08:00');

  it('cuts days, hours and Monday weeks in Asia/Shanghai as the server names them', () => {
    expect(rangeBuckets(from, to, 'day').map((b) => b.label)).toEqual(['2026-11-08', '2026-11-09', '2026-11-10']);
    const hours = rangeBuckets(from, to, 'hour');
    expect(hours).toHaveLength(72);
    expect(hours[13]?.label).toBe('2026-11-08 13:00');
    expect(rangeBuckets(from, to, 'week').map((b) => b.label)).toEqual(['2026-11-02', '2026-11-09']);
  });

  it('falls back to the buckets with payments when the range is unbounded', () => {
    const totals = row('ALL', 5, 0, [bucket(7, 'x', 5, 0)]);
    expect(axisOf({ version: 1, range: { from: null, to: null }, bucket: 'day', totals, rules: [], labels: { events: 0 } }).map((b) => b.label)).toEqual(['x']);
    expect(axisOf({ version: 1, range: { from, to }, bucket: 'day', totals, rules: [], labels: { events: 0 } })).toHaveLength(3);
  });
});
