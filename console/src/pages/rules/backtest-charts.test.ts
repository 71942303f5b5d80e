import { describe, expect, it } from 'vitest';
import { hitPairs, outcomePairs, pairsSummary, scorePairs, type BacktestReportView } from './backtest-charts';

const report: BacktestReportView = {
  live: { transactions: 10, outcomes: { approve: 7, review: 1, challenge: 1, decline: 1 }, hits: { A: 3, B: 1 } },
  draft: { transactions: 10, outcomes: { approve: 5, review: 2, challenge: 1, decline: 2 }, hits: { A: 2, C: 4 } },
  scores: { binWidth: 10, live: [6, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0], draft: [4, 2, 0, 0, 0, 0, 0, 0, 0, 2, 2], liveWithoutScore: 1 },
};

describe('backtest charts', () => {
  it('puts the outcomes in their order, live against draft', () => {
    expect(outcomePairs(report)).toEqual({ labels: ['approve', 'review', 'challenge', 'decline'], live: [7, 1, 1, 1], draft: [5, 2, 1, 2] });
  });
  it('lists every reason code of either side, most hit first, capped', () => {
    expect(hitPairs(report)).toEqual({ labels: ['C', 'A', 'B'], live: [0, 3, 1], draft: [4, 2, 0] });
    expect(hitPairs(report, 2).labels).toEqual(['C', 'A']);
  });
  it('labels the score bins, the last open-ended; none for an older report', () => {
    const s = scorePairs(report);
    expect(s?.labels[0]).toBe('0–9');
    expect(s?.labels[10]).toBe('100+');
    expect(s?.draft[10]).toBe(2);
    expect(scorePairs({ live: report.live, draft: report.draft })).toBeNull();
  });
  it('says each category with both values for a screen reader', () => {
    expect(pairsSummary({ labels: ['A'], live: [3], draft: [2] }, (l) => `rule ${l}`, 'live', 'draft')).toBe('rule A: live 3, draft 2');
  });
});
