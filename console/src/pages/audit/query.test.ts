import { describe, expect, it } from 'vitest';
import { auditPath, NO_AUDIT_FILTERS, shanghaiIso } from './query';

describe('auditPath', () => {
  it('leaves out empty filters', () => {
    expect(auditPath(NO_AUDIT_FILTERS, undefined)).toBe('/v1/audit?limit=50');
  });
  it('reads times in Asia/Shanghai and passes the cursor', () => {
    const p = auditPath({ ...NO_AUDIT_FILTERS, action: ' list. ', from: '2026-12-06T14:00' }, 42);
    expect(p).toBe('/v1/audit?action=list.&from=2026-12-06T14%3A00%3A00%2B08%3A00&before=42&limit=50');
  });
});

describe('shanghaiIso', () => {
  it('adds seconds and the offset, refuses what is not a datetime-local value', () => {
    expect(shanghaiIso('2026-12-06T14:00')).toBe('2026-12-06T14:00:00+08:00');
    expect(shanghaiIso('2026-12-06T14:00:30')).toBe('2026-12-06T14:00:30+08:00');
    expect(shanghaiIso('')).toBe('');
    expect(shanghaiIso('yesterday')).toBe('');
  });
});
