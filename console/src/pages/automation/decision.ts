/**
 * The bulk decision on limit proposals: its body (the ticked ids and the note the console requires,
 * though the server would take none — a lowered limit is something a customer may ask about, and the
 * note is what the account's action history and the audit log keep), and the server's answer summed
 * up for the line the page shows.
 */
import { withQuery } from '../../api/client';
import type { LimitDecisionAnswer, ProposalState } from './types';

/** The longest note the server takes (src/server/schemas/accounts.ts LimitDecisionBody). */
export const MAX_NOTE = 400;

/** What the filter may ask for: one state, or every proposal. */
export type ProposalFilter = ProposalState | 'all';

/** The list's path for a filter (`all` sends no state). */
export function proposalsPath(filter: ProposalFilter): string {
  return withQuery('/v1/limit-proposals', { state: filter === 'all' ? undefined : filter });
}

/** The body of `POST /v1/limit-proposals/approve|reject`, or what is missing: a selection, or a note of 1–400 characters. */
export function decisionBody(ids: readonly number[], note: string): { body: { ids: number[]; note: string } } | { field: 'selection' | 'note' | 'noteLong' } {
  if (ids.length === 0) return { field: 'selection' };
  const n = note.trim();
  if (n === '') return { field: 'note' };
  if (n.length > MAX_NOTE) return { field: 'noteLong' };
  return { body: { ids: [...ids], note: n } };
}

/** How many proposals the server decided, and which it skipped and why (its own words). */
export function decisionOutcome(answer: LimitDecisionAnswer): { done: number; skipped: readonly { id: number; why: string }[] } {
  return { done: (answer.approved ?? answer.rejected ?? []).length, skipped: answer.skipped };
}
