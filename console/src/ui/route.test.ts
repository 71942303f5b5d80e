import { describe, expect, it } from 'vitest';
import { hrefOfRecord, pageOfHash, restOfHash } from './route';

describe('record routes', () => {
  it('names the page and the record of a hash', () => {
    expect(pageOfHash('#/cases/case-12')).toBe('cases');
    expect(restOfHash('#/cases/case-12')).toBe('case-12');
    expect(restOfHash('#/cases')).toBeNull();
    expect(restOfHash('#/cases/')).toBeNull();
  });

  it('round-trips ids with any character through the link', () => {
    for (const id of ['acc 7781', 'T0A11F93', '898440358120001', 'a/b?c#d', '账户-1']) {
      expect(restOfHash(hrefOfRecord('accounts', id))).toBe(id);
    }
  });

  it('reads a broken escape as no record', () => {
    expect(restOfHash('#/accounts/%E0%A4%A')).toBeNull();
  });
});
