import { describe, expect, it } from 'vitest';
import { addPoint, EMPTY_HISTORY } from './rate-history';

describe('addPoint', () => {
  it('appends new figures in time order', () => {
    let h = addPoint(EMPTY_HISTORY, '2026-12-06T14:00:00+08:00', 12.5, 10);
    h = addPoint(h, '2026-12-06T14:00:02+08:00', 13, 10);
    expect(h.values).toEqual([12.5, 13]);
    expect(h.seconds[1]! - h.seconds[0]!).toBe(2);
  });
  it('ignores a figure it has already seen, or an older one', () => {
    const h = addPoint(EMPTY_HISTORY, '2026-12-06T14:00:02+08:00', 13, 10);
    expect(addPoint(h, '2026-12-06T14:00:02+08:00', 13, 10)).toBe(h);
    expect(addPoint(h, '2026-12-06T14:00:00+08:00', 1, 10)).toBe(h);
    expect(addPoint(h, 'not a time', 1, 10)).toBe(h);
  });
  it('keeps at most max points, dropping the oldest', () => {
    let h = EMPTY_HISTORY;
    for (let i = 0; i < 5; i++) h = addPoint(h, new Date(Date.UTC(2026, 11, 6, 6, 0, i)).toISOString(), i, 3);
    expect(h.values).toEqual([2, 3, 4]);
  });
});
