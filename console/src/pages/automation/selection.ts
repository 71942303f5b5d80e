/**
 * Which limit proposals are ticked for a bulk approval or rejection. Only pending proposals can be
 * decided (the server skips the others), so only they are selectable; a selection is always read
 * against the rows shown now, so a proposal decided elsewhere or filtered away is never sent.
 */
import type { LimitProposal } from './types';

/** The ids that may be ticked among the rows shown: the pending ones, in row order. */
export function selectable(rows: readonly Pick<LimitProposal, 'id' | 'state'>[]): number[] {
  return rows.filter((r) => r.state === 'pending').map((r) => r.id);
}

/** The selection as it applies to the rows shown: ticked and still selectable, in row order. */
export function effective(selected: ReadonlySet<number>, rows: readonly Pick<LimitProposal, 'id' | 'state'>[]): number[] {
  return selectable(rows).filter((id) => selected.has(id));
}

/** `selected` with `id` ticked or unticked. */
export function toggle(selected: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** The select-all box's state over the selectable rows: `some` shows it indeterminate. */
export function allState(selected: ReadonlySet<number>, rows: readonly Pick<LimitProposal, 'id' | 'state'>[]): 'none' | 'some' | 'all' {
  const ids = selectable(rows);
  const n = effective(selected, rows).length;
  if (n === 0) return 'none';
  return n === ids.length ? 'all' : 'some';
}

/** Clicking select-all: every selectable row ticked, or none when all already were. */
export function toggleAll(selected: ReadonlySet<number>, rows: readonly Pick<LimitProposal, 'id' | 'state'>[]): Set<number> {
  return allState(selected, rows) === 'all' ? new Set() : new Set(selectable(rows));
}
