import { describe, expect, it } from 'vitest';
import { casesPath } from './filters';

describe('casesPath', () => {
  it('asks for the active queue by default, 50 a page', () => {
    expect(casesPath('active', '', undefined)).toBe('/v1/cases?status=active&limit=50');
  });
  it('passes the issue (a detector prefix kept as is) and the cursor', () => {
    expect(casesPath('all', 'detector:', '1200.5_1700000000000_7')).toBe(
      '/v1/cases?status=all&issue=detector%3A&after=1200.5_1700000000000_7&limit=50',
    );
  });
});
