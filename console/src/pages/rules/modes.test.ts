import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { translate } from '../../i18n/i18n';
import { editorStart, explainModeAction, isApproved, MODE_NAME, modeFile, modeReview } from './modes';
import type { IncidentMode } from './types';

const t = (k: Parameters<typeof translate>[1], v?: Parameters<typeof translate>[2]) => translate('en', k, v);

const base: IncidentMode = {
  name: 'wave',
  description: 'approved wave',
  rules: 'rule W\n  when amount < 5\n  score 50\n',
  updatedBy: 'key_b',
  updatedAt: 2,
  approvedBy: 'key_b',
  approvedAt: 2,
  approvedProposer: 'key_a',
  proposal: null,
  active: true,
  activeSince: 3,
  activeBy: 'key_a',
};
const pending = { description: 'harsher', rules: 'rule W\n  when amount < 9\n  score 50\n', proposedBy: 'key_a', proposedAt: 4 };

describe('incident modes under four eyes', () => {
  it('never offers Approve to the proposer, and offers it to another admin', () => {
    expect(modeReview(base, 'key_a').kind).toBe('none');
    expect(modeReview({ ...base, proposal: pending }, 'key_a').kind).toBe('own');
    expect(modeReview({ ...base, proposal: pending }, 'key_b')).toEqual({ kind: 'other', proposal: pending });
  });
  it('lets a mode be switched on only once a definition was approved', () => {
    expect(isApproved(base)).toBe(true);
    expect(isApproved({ ...base, approvedAt: null, approvedBy: null, rules: '', description: '', proposal: pending })).toBe(false);
  });
  it('edits from the pending proposal when there is one, else from the approved definition', () => {
    expect(editorStart(base)).toEqual({ description: 'approved wave', rules: base.rules });
    expect(editorStart({ ...base, proposal: pending })).toEqual({ description: 'harsher', rules: pending.rules });
  });
  it('checks names as the server does and names the overlay file as its diagnostics do', () => {
    expect(MODE_NAME.test('remote-wave_2')).toBe(true);
    expect(MODE_NAME.test('Remote Wave')).toBe(false);
    expect(MODE_NAME.test('-x')).toBe(false);
    expect(modeFile('wave')).toBe('modes/wave.fk');
  });
  it('explains the four-eyes refusal in plain words', () => {
    const own = new ApiError(409, 'conflict', '[FK3002] four-eyes rule: incident mode wave was proposed by key_a; another admin key must approve it');
    expect(explainModeAction(t, own, 'wave')).toMatch(/four-eyes rule: mode wave needs a second admin key/);
    expect(explainModeAction(t, new ApiError(409, 'conflict', 'incident mode wave has no proposed definition'), 'wave')).toMatch(/not in a state/);
  });
});
