import { describe, expect, it } from 'vitest';
import { cursorBefore, entriesPath, entryBody, entryPath, matching, shanghaiInstant } from './query';

describe('list entries', () => {
  it('pages with the cursor and searches from just before the prefix', () => {
    expect(entriesPath('block_devices', '', undefined)).toBe('/v1/lists/block_devices/entries?limit=50');
    expect(entriesPath('block_devices', '', 'dev-9')).toBe('/v1/lists/block_devices/entries?after=dev-9&limit=50');
    const c = cursorBefore('dev-9');
    expect(c).toBe('dev-8\uffff');
    expect('dev-8' < c! && c! < 'dev-9' && c! < 'dev-90').toBe(true);
    expect(entriesPath('block_devices', ' dev-9 ', undefined, 10)).toBe(`/v1/lists/block_devices/entries?after=${encodeURIComponent('dev-8\uffff')}&limit=10`);
    expect(cursorBefore('')).toBeUndefined();
  });

  it('keeps the matches of a search and stops paging past them', () => {
    const e = (value: string) => ({ value });
    expect(matching('dev-9', { entries: [e('dev-9'), e('dev-91')], next: 'dev-91' })).toEqual({ entries: [e('dev-9'), e('dev-91')], next: 'dev-91' });
    expect(matching('dev-9', { entries: [e('dev-9'), e('dev-a')], next: 'dev-a' })).toEqual({ entries: [e('dev-9')], next: null });
    expect(matching('', { entries: [e('x')], next: 'x' })).toEqual({ entries: [e('x')], next: 'x' });
  });

  it('encodes values in the path', () => {
    expect(entryPath('block_ips', '10.0.0.0/8')).toBe('/v1/lists/block_ips/entries/10.0.0.0%2F8');
  });

  it('builds the entry body, the expiry read as Asia/Shanghai time', () => {
    expect(entryBody({ value: ' dev-1 ', reason: ' stolen ', expires: '' })).toEqual({ body: { value: 'dev-1', reason: 'stolen' } });
    expect(entryBody({ value: 'dev-1', reason: 'stolen', expires: '2026-12-31T23:59' })).toEqual({ body: { value: 'dev-1', reason: 'stolen', expiresAt: '2026-12-31T23:59:00+08:00' } });
    expect(entryBody({ value: '', reason: 'x', expires: '' })).toEqual({ field: 'value' });
    expect(entryBody({ value: 'a', reason: ' ', expires: '' })).toEqual({ field: 'reason' });
    expect(entryBody({ value: 'a', reason: 'b', expires: 'tomorrow' })).toEqual({ field: 'expires' });
    expect(shanghaiInstant('2026-12-31T23:59:30')).toBe('2026-12-31T23:59:30+08:00');
  });
});
