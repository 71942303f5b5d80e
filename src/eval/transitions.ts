/**
 * Two policies over the same payments (live and a backtest's draft, live and a shadow): a tally
 * cell per pair of outcomes, so "what changed" — the transition matrix, the payments newly
 * declined or approved, and their fraud value by the labels — is counted the way every other
 * figure is (cell.ts), not by hand beside it.
 */
import { OUTCOMES, outcomeRank, type Outcome } from '../rules/policy-types.js';
import { countInto, figuresOf, mergeInto, newCell, type Cell, type OutcomeCounts } from './cell.js';
import type { TxTruth } from './truth.js';

const N = OUTCOMES.length;

/** The pairs of outcomes two policies gave the same payments. */
export class Transitions {
  /** cells[N·live + other]. */
  private readonly cells: readonly Cell[] = Array.from({ length: N * N }, newCell);

  /** Counts one payment that live decided `live` and the other policy `other`. */
  add(live: Outcome, other: Outcome, amount: number, truth: TxTruth | null): void {
    const o = outcomeRank(other);
    countInto(this.cells[N * outcomeRank(live) + o], o, amount, truth, null);
  }

  /** Adds another comparison of other payments: the result is the comparison of both. */
  merge(other: Transitions): void {
    for (let i = 0; i < N * N; i++) mergeInto(this.cells[i], other.cells[i]);
  }

  /** matrix[live][other]: payments per pair of outcomes, the diagonal unchanged — the reports' shape. */
  matrix(): Record<Outcome, OutcomeCounts> {
    const m = {} as Record<Outcome, OutcomeCounts>;
    for (const l of OUTCOMES) {
      const row = {} as OutcomeCounts;
      for (const o of OUTCOMES) row[o] = figuresOf(this.cells[N * outcomeRank(l) + outcomeRank(o)]).payments;
      m[l] = row;
    }
    return m;
  }

  /** Payments whose outcome the other policy changes. */
  changed(): number {
    let n = 0;
    for (let i = 0; i < N * N; i++) if (i % (N + 1) !== 0) n += figuresOf(this.cells[i]).payments;
    return n;
  }

  /** The payments the other policy moves to `to` from another outcome, as one cell (count, value, fraud). */
  movedTo(to: Outcome): Cell {
    const out = newCell();
    const o = outcomeRank(to);
    for (let l = 0; l < N; l++) if (l !== o) mergeInto(out, this.cells[N * l + o]);
    return out;
  }
}
