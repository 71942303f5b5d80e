import { act, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../../i18n/i18n';
import { DiffView } from './DiffView';
import { diagnosticCounts, diagnosticsByLine, diffLine, hunkHeader, rulesOf, searchRules, useDebounced } from './rules-text';
import type { PolicyDiagnostic } from './types';

const VELOCITY = `# Frequent small payments.

rule SMALL_PAYMENT_BURST
  description "Five or more payments under \\"¥50\\""
  when small_tx_10m >= 5
  score 45

rule MANY
  description "Small payments at many merchants"
  when small_tx_10m >= 4
    and small_merchants_10m >= 3
  outcome challenge
  score 30
feature x = tx_1h
`;

describe('rulesOf', () => {
  const rules = rulesOf([{ file: '10-velocity.fk', text: VELOCITY }]);
  it('reads each rule block with its clauses and line', () => {
    expect(rules.map((r) => r.name)).toEqual(['SMALL_PAYMENT_BURST', 'MANY']);
    expect(rules[0]).toMatchObject({ line: 3, description: 'Five or more payments under "¥50"', when: 'small_tx_10m >= 5', outcome: null, score: '45' });
  });
  it('joins a condition continued on indented lines, and stops at the next top-level line', () => {
    expect(rules[1]).toMatchObject({ when: 'small_tx_10m >= 4 and small_merchants_10m >= 3', outcome: 'challenge', score: '30' });
    expect(rules[1]?.text).not.toContain('feature');
  });
  it('searches name, description and condition, every word, any case', () => {
    expect(searchRules(rules, 'burst').map((r) => r.name)).toEqual(['SMALL_PAYMENT_BURST']);
    expect(searchRules(rules, 'MERCHANTS challenge').map((r) => r.name)).toEqual(['MANY']);
    expect(searchRules(rules, '  ')).toHaveLength(2);
    expect(searchRules(rules, 'nothing-like-this')).toEqual([]);
  });
});

describe('diagnostics', () => {
  const d = (file: string, line: number, severity: 'error' | 'warning' = 'error'): PolicyDiagnostic => ({ code: 'FKR301', message: 'm', file, line, column: 3, severity });
  it('group by the line they mark in one file', () => {
    const m = diagnosticsByLine([d('a.fk', 5), d('a.fk', 5, 'warning'), d('b.fk', 5), d('a.fk', 0)], 'a.fk');
    expect([...m.keys()].sort()).toEqual([1, 5]);
    expect(m.get(5)).toHaveLength(2);
  });
  it('count per file', () => {
    expect(diagnosticCounts([d('a.fk', 1), d('a.fk', 2), d('b.fk', 1)])).toEqual(new Map([['a.fk', 2], ['b.fk', 1]]));
  });
});

describe('diff lines', () => {
  it('are added, removed or context by their first character', () => {
    expect(diffLine('+  score 50')).toEqual({ kind: 'added', text: '  score 50' });
    expect(diffLine('-  score 45')).toEqual({ kind: 'removed', text: '  score 45' });
    expect(diffLine(' rule X')).toEqual({ kind: 'context', text: 'rule X' });
    expect(hunkHeader({ oldStart: 3, oldLines: 7, newStart: 3, newLines: 8 })).toBe('@@ -3,7 +3,8 @@');
  });
  it('render coloured by kind, with a name for screen readers', () => {
    const { container } = render(
      <I18nProvider lang="en">
        <DiffView
          diff={{
            parent: 1,
            files: [{ file: '10-velocity.fk', status: 'modified', additions: 1, deletions: 1, hunks: [{ oldStart: 3, oldLines: 3, newStart: 3, newLines: 3, lines: [' rule X', '-  score 45', '+  score 50'] }] }],
            summary: { rules: { added: [], removed: [], changed: ['X'] }, windows: { added: [], removed: [], changed: [] }, features: { added: [], removed: [], changed: [] } },
          }}
        />
      </I18nProvider>,
    );
    expect(container.querySelector('.diff-removed')?.textContent).toContain('score 45');
    expect(container.querySelector('.diff-added')?.textContent).toContain('score 50');
    expect(container.querySelectorAll('.diff-context')).toHaveLength(1);
    expect(screen.getByRole('region', { name: 'Changes to 10-velocity.fk' })).toBeTruthy();
    expect(screen.getByText('@@ -3,3 +3,3 @@')).toBeTruthy();
  });
});

describe('useDebounced', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  function Show({ v }: { v: string }): ReactNode {
    return <p>{useDebounced(v, 400)}</p>;
  }
  it('settles only once the value stays the same for the delay', () => {
    const { rerender } = render(<Show v="a" />);
    expect(screen.getByText('a')).toBeTruthy();
    rerender(<Show v="ab" />);
    act(() => vi.advanceTimersByTime(300));
    rerender(<Show v="abc" />);
    act(() => vi.advanceTimersByTime(300));
    expect(screen.getByText('a')).toBeTruthy();
    act(() => vi.advanceTimersByTime(100));
    expect(screen.getByText('abc')).toBeTruthy();
  });
});

describe('the first version', () => {
  it('is not drawn as one huge addition', () => {
    const { container } = render(
      <I18nProvider lang="en">
        <DiffView
          diff={{
            parent: null,
            files: [{ file: 'a.fk', status: 'added', additions: 2, deletions: 0, hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 2, lines: ['+a', '+b'] }] }],
            summary: { rules: { added: [], removed: [], changed: [] }, windows: { added: [], removed: [], changed: [] }, features: { added: [], removed: [], changed: [] } },
          }}
        />
      </I18nProvider>,
    );
    expect(container.querySelector('.diff-added')).toBeNull();
    expect(screen.getByText('The first version has no parent to compare with: its files are listed below.')).toBeTruthy();
  });
});
