/**
 * The one tally of decisions against labels. The backtest (live and draft side by side), the
 * shadow's running totals, rule performance and the risk report all count payments here, through
 * one `add`, and differ only in the views they read off it (policy/backtest-report.ts,
 * policy/shadow-tally.ts, policy/rule-performance.ts, report/tally.ts) — so "fraud caught" or a
 * rule's hits mean the same in every answer.
 *
 * Pure: outcomes, amounts, scores, reason codes and label truth in; cells out (see cell.ts).
 */
import { outcomeRank, type Outcome } from '../rules/policy-types.js';
import { cellOf, countInto, figuresOf, mergeInto, newCell, type Cell } from './cell.js';
import type { TxTruth } from './truth.js';

/** Reason codes as the callers hold them: plain codes (a shadow's records) or an answer's `{ code }` objects. */
export type Codes = readonly (string | { readonly code: string })[];

/** Payments counted without reason codes (buckets, entities): shared so they allocate nothing. */
export const NO_CODES: Codes = Object.freeze([]);

/**
 * Payments counted overall and per reason code, and the policies that decided them. Per-code cells
 * are full cells, so a code's hits, precision, money and label figures all come from the same count.
 */
export class Tally {
  /** every payment counted. */
  readonly total: Cell = newCell();
  /** per reason code: the payments carrying it, each once however often the code appears on it. */
  readonly codes = new Map<string, Cell>();
  /** policy names seen on the decisions counted ('' — an answer naming none — is not a name). */
  readonly policies = new Set<string>();
  private lastPolicy = '';
  /** Scratch for de-duplicating one payment's codes. */
  private readonly seen: string[] = [];

  /** Counts one decided payment; allocation-free once its codes have been seen. */
  add(policy: string, outcome: Outcome, score: number | null, codes: Codes, amount: number, truth: TxTruth | null): void {
    if (policy !== this.lastPolicy) {
      if (policy !== '') this.policies.add(policy);
      this.lastPolicy = policy;
    }
    const rank = outcomeRank(outcome);
    countInto(this.total, rank, amount, truth, score);
    if (codes.length === 0) return;
    const seen = this.seen;
    seen.length = 0;
    for (let i = 0; i < codes.length; i++) {
      const r = codes[i];
      const code = typeof r === 'string' ? r : r.code;
      if (seen.includes(code)) continue;
      seen.push(code);
      countInto(cellOf(this.codes, code), rank, amount, truth, score);
    }
  }

  /** Adds another tally of other payments: the result is the tally of both, as if counted in one pass. */
  merge(other: Tally): void {
    mergeInto(this.total, other.total);
    for (const [code, c] of other.codes) mergeInto(cellOf(this.codes, code), c);
    for (const p of other.policies) this.policies.add(p);
  }

  /** Payments per reason code, most first (then by code): the `hits` the backtest and shadow answer. */
  hits(): Record<string, number> {
    const out: Record<string, number> = {};
    const rows = [...this.codes].map(([code, c]): [string, number] => [code, figuresOf(c).payments]);
    for (const [code, n] of rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) out[code] = n;
    return out;
  }
}
