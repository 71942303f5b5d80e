import { describe, expect, it } from 'vitest';
import { casesPath, filtersOfHash, hashOfFilters, NO_FILTERS } from './filters';

describe('casesPath', () => {
  it('asks for the active queue by default, 50 a page', () => {
    expect(casesPath(NO_FILTERS, undefined)).toBe('/v1/cases?status=active&limit=50');
  });
  it('passes the issue (a detector prefix kept as is) and the cursor', () => {
    expect(casesPath({ ...NO_FILTERS, state: 'all', issue: 'detector:' }, '1200.5_1700000000000_7')).toBe(
      '/v1/cases?status=all&issue=detector%3A&after=1200.5_1700000000000_7&limit=50',
    );
  });
  it('passes kind:id as subject, a bare id as subjectId, and the assignee', () => {
    expect(casesPath({ ...NO_FILTERS, subject: 'account:acc-1', assignee: 'none' }, undefined)).toBe(
      '/v1/cases?status=active&subject=account%3Aacc-1&assignee=none&limit=50',
    );
    expect(casesPath({ ...NO_FILTERS, subject: ' acc-1 ' }, undefined)).toBe('/v1/cases?status=active&subjectId=acc-1&limit=50');
    expect(casesPath({ ...NO_FILTERS, subject: 'merchant' }, undefined)).toBe('/v1/cases?status=active&subject=merchant&limit=50');
  });
});

describe('filters in the hash', () => {
  it('round-trips every filter, leaving the defaults out', () => {
    const f = { state: 'open', issue: 'review', subject: 'account:acc 1', assignee: 'wang' } as const;
    expect(filtersOfHash(hashOfFilters(f))).toEqual(f);
    expect(hashOfFilters(NO_FILTERS)).toBe('#/cases');
    expect(filtersOfHash('#/cases')).toEqual(NO_FILTERS);
  });
  it('reads an unknown state or issue as no filter', () => {
    expect(filtersOfHash('#/cases?state=bogus&issue=nope')).toEqual(NO_FILTERS);
  });
});
