import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/i18n';
import { RuleActionCounts } from './RuleActionCounts';

const COUNTS = [
  { rule: 'AUTO_FREEZE_HUGE', action: 'freeze_account', taken: 3, capped: 1 },
  { rule: 'WATCH', action: 'some_future_action', taken: 2, capped: 0 },
];

describe('RuleActionCounts', () => {
  it('lists each rule and action with what it would take and what a cap stopped', () => {
    render(<I18nProvider lang="en"><RuleActionCounts counts={COUNTS} of="shadow" /></I18nProvider>);
    const rows = screen.getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows).toEqual(['AUTO_FREEZE_HUGEFreeze the account31', 'WATCHsome_future_action20']);
    expect(screen.getByRole('table').querySelector('caption')?.textContent).toMatch(/shadow/);
  });
  it('reads in Chinese', () => {
    render(<I18nProvider lang="zh-CN"><RuleActionCounts counts={COUNTS.slice(0, 1)} of="backtest" /></I18nProvider>);
    expect(screen.getByText('冻结账户')).toBeTruthy();
    expect(screen.getByRole('table').querySelector('caption')?.textContent).toMatch(/回测/);
  });
  it('shows nothing for a version whose rules take no action, or a server that does not say', () => {
    const { container } = render(<I18nProvider lang="en"><RuleActionCounts counts={[]} of="backtest" /><RuleActionCounts counts={undefined} of="shadow" /></I18nProvider>);
    expect(container.innerHTML).toBe('');
  });
});
