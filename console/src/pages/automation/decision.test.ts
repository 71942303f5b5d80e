import { describe, expect, it } from 'vitest';
import { decisionBody, decisionOutcome, MAX_NOTE, proposalsPath } from './decision';

describe('limit proposal decisions', () => {
  it('lists one state or every proposal', () => {
    expect(proposalsPath('pending')).toBe('/v1/limit-proposals?state=pending');
    expect(proposalsPath('superseded')).toBe('/v1/limit-proposals?state=superseded');
    expect(proposalsPath('all')).toBe('/v1/limit-proposals');
  });

  it('needs a selection and a note of at most 400 characters', () => {
    expect(decisionBody([], 'weekly review')).toEqual({ field: 'selection' });
    expect(decisionBody([3], '   ')).toEqual({ field: 'note' });
    expect(decisionBody([3], 'x'.repeat(MAX_NOTE + 1))).toEqual({ field: 'noteLong' });
  });

  it('sends the ids and the note trimmed', () => {
    expect(decisionBody([3, 1], ' weekly credit review ')).toEqual({ body: { ids: [3, 1], note: 'weekly credit review' } });
    expect(decisionBody([1], 'x'.repeat(MAX_NOTE))).toEqual({ body: { ids: [1], note: 'x'.repeat(MAX_NOTE) } });
  });

  it('sums up the answer of approve and of reject', () => {
    expect(decisionOutcome({ approved: [3, 1], skipped: [] })).toEqual({ done: 2, skipped: [] });
    expect(decisionOutcome({ rejected: [], skipped: [{ id: 2, why: 'it is approved' }] })).toEqual({ done: 0, skipped: [{ id: 2, why: 'it is approved' }] });
  });
});
