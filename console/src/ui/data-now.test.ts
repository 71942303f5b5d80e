import { describe, expect, it } from 'vitest';
import { dataNow } from './data-now';

describe('dataNow', () => {
  const now = Date.parse('2026-12-06T10:00:00Z');
  it('is the engine clock when the data is behind the wall clock', () => {
    expect(dataNow('2026-10-30T23:59:00+08:00', now)).toBe(Date.parse('2026-10-30T15:59:00Z'));
  });
  it('is now when the data is current, ahead, unknown or unreadable', () => {
    expect(dataNow('2026-12-06T18:30:00+08:00', now)).toBe(now);
    expect(dataNow(null, now)).toBe(now);
    expect(dataNow(undefined, now)).toBe(now);
    expect(dataNow('not a time', now)).toBe(now);
  });
});
