/**
 * A finished backtest's report turned into what its charts draw — outcome mix, hits per reason code
 * and the score distribution, live against draft — kept out of the component so it can be tested
 * alone. The report is the server's JSON (src/policy/backtest-report.ts), read only as far as charted.
 */
import type { Outcome } from '../../api/types';

const OUTCOMES: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];

/** The parts of one side of a backtest report the charts read. */
export interface BacktestSideView {
  readonly transactions: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly hits: Readonly<Record<string, number>>;
}

/** The parts of a backtest report the charts read; `scores` is missing from reports made before it existed. */
export interface BacktestReportView {
  readonly live: BacktestSideView;
  readonly draft: BacktestSideView;
  readonly scores?: { readonly binWidth: number; readonly live: readonly number[]; readonly draft: readonly number[]; readonly liveWithoutScore: number };
  /** The actions the draft's rules would have taken in the range, per rule and action. */
  readonly ruleActions?: readonly { readonly rule: string; readonly action: string; readonly taken: number; readonly capped: number }[];
}

/** Categories with a live and a draft value each. */
export interface Pairs<L extends string = string> {
  readonly labels: readonly L[];
  readonly live: readonly number[];
  readonly draft: readonly number[];
}

/** Payments per outcome, live against draft. */
export function outcomePairs(r: BacktestReportView): Pairs<Outcome> {
  return { labels: OUTCOMES, live: OUTCOMES.map((o) => r.live.outcomes[o] ?? 0), draft: OUTCOMES.map((o) => r.draft.outcomes[o] ?? 0) };
}

/** Payments per reason code, live against draft: the `max` codes most hit on either side, most first (ties by name). */
export function hitPairs(r: BacktestReportView, max = 12): Pairs {
  const codes = [...new Set([...Object.keys(r.live.hits), ...Object.keys(r.draft.hits)])];
  const top = (c: string): number => Math.max(r.live.hits[c] ?? 0, r.draft.hits[c] ?? 0);
  codes.sort((a, b) => top(b) - top(a) || (a < b ? -1 : a > b ? 1 : 0));
  const shown = codes.slice(0, max);
  return { labels: shown, live: shown.map((c) => r.live.hits[c] ?? 0), draft: shown.map((c) => r.draft.hits[c] ?? 0) };
}

/** The score histogram, live against draft, labelled by bin (`0–9` … `100+`); null when the report has none. */
export function scorePairs(r: BacktestReportView): Pairs | null {
  const s = r.scores;
  if (s === undefined) return null;
  const n = Math.max(s.live.length, s.draft.length);
  const labels = Array.from({ length: n }, (_, i) => (i === n - 1 ? `${i * s.binWidth}+` : `${i * s.binWidth}–${(i + 1) * s.binWidth - 1}`));
  return { labels, live: labels.map((_, i) => s.live[i] ?? 0), draft: labels.map((_, i) => s.draft[i] ?? 0) };
}

/** A chart's text alternative: each category with both values, for screen readers. */
export function pairsSummary(p: Pairs, label: (l: string) => string, liveName: string, draftName: string): string {
  return p.labels.map((l, i) => `${label(l)}: ${liveName} ${p.live[i] ?? 0}, ${draftName} ${p.draft[i] ?? 0}`).join('; ');
}
