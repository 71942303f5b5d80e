import { describe, expect, it } from 'vitest';
import type { Permission } from '../../api/types';
import { merchantActionBody, merchantActions, takesExpiry, terminalAction } from './actions';

const ANALYST = { permissions: ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self'] as Permission[] };
const ADMIN = { permissions: ['decide', 'ingest', 'read', 'docs', 'work_cases', 'hold', 'act', 'backtest', 'metrics', 'admin', 'support', 'appeal', 'self'] as Permission[] };
const SUPPORT = { permissions: ['support', 'appeal', 'self'] as Permission[] };

describe('merchant actions', () => {
  it('offers analysts only the hold, admins the hold or its release', () => {
    expect(merchantActions(ANALYST, false)).toEqual(['hold_settlement']);
    expect(merchantActions(ANALYST, true)).toEqual([]);
    expect(merchantActions(ADMIN, false)).toEqual(['hold_settlement']);
    expect(merchantActions(ADMIN, true)).toEqual(['release']);
    expect(merchantActions(SUPPORT, false)).toEqual([]);
  });

  it('offers admins suspend or release per terminal, nobody else', () => {
    expect(terminalAction(ADMIN, 'in_service')).toBe('suspend_terminal');
    expect(terminalAction(ADMIN, 'suspended')).toBe('release_terminal');
    expect(terminalAction(ANALYST, 'in_service')).toBeNull();
  });

  it('builds the body: reason trimmed, terminal where it applies, expiry in Shanghai time', () => {
    expect(merchantActionBody('suspend_terminal', { reason: '  code jumping ', expires: '2026-12-31T23:59', terminalId: 'T1' })).toEqual({
      body: { action: 'suspend_terminal', reason: 'code jumping', terminalId: 'T1', expiresAt: '2026-12-31T23:59:00+08:00' },
    });
    expect(merchantActionBody('release', { reason: 'cleared', expires: '2026-12-31T23:59' })).toEqual({ body: { action: 'release', reason: 'cleared' } });
    expect(merchantActionBody('hold_settlement', { reason: ' ', expires: '' })).toEqual({ field: 'reason' });
    expect(merchantActionBody('hold_settlement', { reason: 'x', expires: 'tomorrow' })).toEqual({ field: 'expires' });
    expect(takesExpiry('release_terminal')).toBe(false);
  });
});
