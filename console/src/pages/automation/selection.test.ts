import { describe, expect, it } from 'vitest';
import { allState, effective, selectable, toggle, toggleAll } from './selection';
import type { ProposalState } from './types';

const row = (id: number, state: ProposalState = 'pending') => ({ id, state });
const rows = [row(9), row(8, 'approved'), row(7), row(6, 'superseded'), row(5)];

describe('proposal selection', () => {
  it('offers only pending proposals, in row order', () => {
    expect(selectable(rows)).toEqual([9, 7, 5]);
    expect(selectable([])).toEqual([]);
  });

  it('ticks and unticks one', () => {
    const one = toggle(new Set(), 7);
    expect([...one]).toEqual([7]);
    expect([...toggle(one, 7)]).toEqual([]);
    expect([...one]).toEqual([7]); // the old set is left as it was
  });

  it('reads a selection against the rows shown: decided or filtered-away ids are never sent', () => {
    const ticked = new Set([9, 8, 5, 42]);
    expect(effective(ticked, rows)).toEqual([9, 5]);
    expect(effective(ticked, [row(9, 'approved')])).toEqual([]);
  });

  it('shows select-all as none, some (indeterminate) or all', () => {
    expect(allState(new Set(), rows)).toBe('none');
    expect(allState(new Set([9]), rows)).toBe('some');
    expect(allState(new Set([9, 7, 5]), rows)).toBe('all');
    expect(allState(new Set([8]), rows)).toBe('none');
    expect(allState(new Set(), [row(1, 'rejected')])).toBe('none');
  });

  it('select-all ticks every pending row, or clears when all were', () => {
    expect([...toggleAll(new Set([9]), rows)]).toEqual([9, 7, 5]);
    expect([...toggleAll(new Set([9, 7, 5]), rows)]).toEqual([]);
    expect([...toggleAll(new Set(), rows)]).toEqual([9, 7, 5]);
  });
});
