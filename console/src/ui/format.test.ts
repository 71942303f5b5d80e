import { describe, expect, it } from 'vitest';
import { formatLatency, formatMoney, formatNumber, formatShare, formatTime } from './format';

describe('formatMoney', () => {
  it('shows fen as yuan with grouping and two decimals', () => {
    expect(formatMoney(123456)).toBe('¥1,234.56');
    expect(formatMoney(49900)).toBe('¥499.00');
    expect(formatMoney(5)).toBe('¥0.05');
    expect(formatMoney(0)).toBe('¥0.00');
    expect(formatMoney(100_000_000_000)).toBe('¥1,000,000,000.00');
  });
  it('is exact where a float division is not', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point
    expect(formatMoney(29)).toBe('¥0.29');
    expect(formatMoney(1_234_567_890_123)).toBe('¥12,345,678,901.23');
  });
  it('signs negatives and refuses non-numbers', () => {
    expect(formatMoney(-12345)).toBe('-¥123.45');
    expect(formatMoney(Number.NaN)).toBe('—');
  });
});

describe('formatTime', () => {
  it('shows an instant in Asia/Shanghai with the offset', () => {
    expect(formatTime('2026-12-06T14:00:00+08:00')).toBe('2026-12-06 14:00:00 +08:00');
    expect(formatTime('2026-12-06T06:00:00Z')).toBe('2026-12-06 14:00:00 +08:00');
    expect(formatTime(Date.UTC(2026, 11, 31, 16, 30, 5))).toBe('2027-01-01 00:30:05 +08:00');
  });
  it('uses the 24-hour clock, midnight as 00', () => {
    expect(formatTime('2026-11-24T00:05:09+08:00')).toBe('2026-11-24 00:05:09 +08:00');
  });
  it('shows a dash for what is not a time', () => {
    expect(formatTime('yesterday')).toBe('—');
    expect(formatTime(Number.NaN)).toBe('—');
  });
});

describe('formatLatency', () => {
  it('keeps microseconds below a millisecond, milliseconds above', () => {
    expect(formatLatency(850)).toBe('850 µs');
    expect(formatLatency(4.8)).toBe('5 µs');
    expect(formatLatency(1250)).toBe('1.25 ms');
    expect(formatLatency(33_400)).toBe('33.4 ms');
    expect(formatLatency(1_250_000)).toBe('1,250 ms');
  });
  it('shows a dash when unknown', () => {
    expect(formatLatency(null)).toBe('—');
  });
});

describe('formatNumber and formatShare', () => {
  it('groups and rounds', () => {
    expect(formatNumber(12345)).toBe('12,345');
    expect(formatNumber(12.54, 1)).toBe('12.5');
    expect(formatNumber(12, 1)).toBe('12');
  });
  it('gives a share of a whole, and no share of nothing', () => {
    expect(formatShare(1, 8)).toBe('12.5%');
    expect(formatShare(0, 0)).toBe('—');
  });
});
