import { describe, expect, it } from 'vitest';
import type { Permission, Role } from '../api/types';
import { allows, consoleAccess, pageFor, visiblePages } from './nav';

// the permissions each role holds on the server (src/server/auth.ts)
const KEYS: Record<Role, { role: Role; permissions: Permission[] }> = {
  decide: { role: 'decide', permissions: ['decide', 'docs', 'self'] },
  ingest: { role: 'ingest', permissions: ['ingest', 'docs', 'self'] },
  analyst: { role: 'analyst', permissions: ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self'] },
  admin: { role: 'admin', permissions: ['decide', 'ingest', 'read', 'docs', 'work_cases', 'hold', 'act', 'backtest', 'metrics', 'admin', 'support', 'appeal', 'self'] },
  support: { role: 'support', permissions: ['support', 'appeal', 'self'] },
  metrics: { role: 'metrics', permissions: ['metrics', 'self'] },
};

describe('visible pages by role', () => {
  it('shows admins and analysts every page', () => {
    const all = ['overview', 'cases', 'accounts', 'merchants', 'rules', 'lists', 'reports', 'automation', 'audit'];
    expect(visiblePages(KEYS.admin)).toEqual(all);
    expect(visiblePages(KEYS.analyst)).toEqual(all);
  });
  it('shows customer service the accounts page only', () => {
    expect(visiblePages(KEYS.support)).toEqual(['accounts']);
    expect(visiblePages(KEYS.support)).not.toContain('rules');
  });
  it('sends the payment switch key to its notice', () => {
    expect(visiblePages(KEYS.decide)).toEqual([]);
    expect(consoleAccess(KEYS.decide)).toBe('switch');
    expect(consoleAccess(KEYS.support)).toBe('console');
    expect(consoleAccess({ role: 'admin', permissions: [] })).toBe('switch');
    expect(visiblePages(KEYS.ingest)).toEqual([]);
    expect(consoleAccess(KEYS.ingest)).toBe('switch');
    expect(consoleAccess(KEYS.metrics)).toBe('switch');
  });
});

describe('actions', () => {
  it('gives admin actions to admins only', () => {
    expect(allows(KEYS.admin, 'admin')).toBe(true);
    expect(allows(KEYS.analyst, 'admin')).toBe(false);
    expect(allows(KEYS.support, 'admin')).toBe(false);
  });
});

describe('pageFor', () => {
  it('keeps an allowed page and falls back to the first allowed one', () => {
    expect(pageFor(KEYS.analyst, 'cases')).toBe('cases');
    expect(pageFor(KEYS.support, 'rules')).toBe('accounts');
    expect(pageFor(KEYS.admin, null)).toBe('overview');
    expect(pageFor(KEYS.admin, 'nonsense')).toBe('overview');
    expect(pageFor(KEYS.decide, 'overview')).toBeNull();
  });
});
