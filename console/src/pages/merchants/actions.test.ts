import { describe, expect, it } from 'vitest';
import { merchantActionBody, merchantActions, takesExpiry, terminalAction } from './actions';

describe('merchant actions', () => {
  it('offers analysts only the hold, admins the hold or its release', () => {
    expect(merchantActions('analyst', false)).toEqual(['hold_settlement']);
    expect(merchantActions('analyst', true)).toEqual([]);
    expect(merchantActions('admin', false)).toEqual(['hold_settlement']);
    expect(merchantActions('admin', true)).toEqual(['release']);
    expect(merchantActions('support', false)).toEqual([]);
  });

  it('offers admins suspend or release per terminal, nobody else', () => {
    expect(terminalAction('admin', 'in_service')).toBe('suspend_terminal');
    expect(terminalAction('admin', 'suspended')).toBe('release_terminal');
    expect(terminalAction('analyst', 'in_service')).toBeNull();
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
