import { describe, expect, it } from 'vitest';
import type { Hold, Restrictions } from '../../api/types';
import { actionBody, availableActions } from './actions';

const hold: Hold = { actionId: 1, reason: 'r', author: 'key_1', since: 0, expiresAt: null };
const none: Restrictions = { frozen: null, stepUp: null, limit: null };

describe('availableActions', () => {
  it('offers only the setting actions (and lower limit) on an unrestricted account', () => {
    expect(availableActions(none)).toEqual(['freeze', 'lower_limit', 'require_step_up']);
  });

  it('offers to lift what is in force, and restore when more than one restriction is', () => {
    expect(availableActions({ ...none, frozen: hold })).toEqual(['unfreeze', 'lower_limit', 'require_step_up']);
    expect(availableActions({ frozen: hold, stepUp: hold, limit: { ...hold, limit: 100 } })).toEqual([
      'unfreeze',
      'lower_limit',
      'restore_limit',
      'lift_step_up',
      'restore',
    ]);
  });
});

describe('actionBody', () => {
  it('needs a reason', () => {
    expect(actionBody('freeze', { reason: '  ', limitYuan: '', expires: '' })).toEqual({ field: 'reason' });
  });

  it('turns yuan into fen exactly and the expiry into Asia/Shanghai time', () => {
    expect(actionBody('lower_limit', { reason: ' suspected takeover ', limitYuan: '¥1,234.5', expires: '2026-12-31T18:00' })).toEqual({
      body: { action: 'lower_limit', reason: 'suspected takeover', limit: 123450, expiresAt: '2026-12-31T18:00:00+08:00' },
    });
    expect(actionBody('lower_limit', { reason: 'x', limitYuan: '12.345', expires: '' })).toEqual({ field: 'limit' });
  });

  it('sends no limit or expiry where the action takes none', () => {
    expect(actionBody('unfreeze', { reason: 'cleared', limitYuan: '5', expires: '2026-12-31T18:00' })).toEqual({ body: { action: 'unfreeze', reason: 'cleared' } });
  });
});
