import { describe, expect, it } from 'vitest';
import { defaultRange, nextDay, rangeProblem, reportFileName, reportParams, reportPath, shanghaiDate } from './range';

describe('the report range', () => {
  it('reads dates in Asia/Shanghai', () => {
    // 2026-12-05 17:30 UTC is 2026-12-06 01:30 in Shanghai
    expect(shanghaiDate(Date.UTC(2026, 11, 5, 17, 30))).toBe('2026-12-06');
    expect(defaultRange(Date.UTC(2026, 11, 5, 17, 30))).toEqual({ first: '2026-11-30', last: '2026-12-06', bucket: 'auto' });
  });

  it('ends the period at midnight after the last day, across months and years', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(reportParams({ first: '2026-12-01', last: '2026-12-07', bucket: 'auto' })).toEqual({ from: '2026-12-01', to: '2026-12-08' });
    expect(reportParams({ first: '2026-12-01', last: '2026-12-01', bucket: 'hour' })).toEqual({ from: '2026-12-01', to: '2026-12-02', bucket: 'hour' });
  });

  it('builds the JSON and HTML paths', () => {
    const r = { first: '2026-12-01', last: '2026-12-07', bucket: 'day' } as const;
    expect(reportPath(r)).toBe('/v1/reports/risk?from=2026-12-01&to=2026-12-08&bucket=day');
    expect(reportPath(r, 'html')).toBe('/v1/reports/risk?from=2026-12-01&to=2026-12-08&bucket=day&format=html');
    expect(reportFileName(r)).toBe('fengkong-risk-report-2026-12-01-to-2026-12-07.html');
  });

  it('refuses a range that is not two dates in order', () => {
    expect(rangeProblem({ first: '2026-12-08', last: '2026-12-01', bucket: 'auto' })).toBe('order');
    expect(rangeProblem({ first: '', last: '2026-12-01', bucket: 'auto' })).toBe('date');
    expect(rangeProblem({ first: '2026-12-01', last: '2026-12-01', bucket: 'auto' })).toBeNull();
  });
});
