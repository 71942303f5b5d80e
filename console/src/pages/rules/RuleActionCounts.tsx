/**
 * The actions a version's rules would take (`action freeze_account` …) in a backtest or a shadow,
 * counted per rule and action, with those a cap stopped: an admin sees how many customers a draft
 * would restrict before two admins make it live. Nothing when the version's rules take none.
 */
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { formatNumber } from '../../ui/format';

/** One rule's action as backtests (`ruleActions`) and shadows (`actions`) report it. */
export interface RuleActionCount {
  readonly rule: string;
  readonly action: string;
  readonly taken: number;
  readonly capped: number;
}

const KNOWN = ['freeze_account', 'lower_limit', 'require_step_up', 'hold_settlement', 'suspend_terminal', 'add_to_list'] as const;
type Known = (typeof KNOWN)[number];
const isKnown = (a: string): a is Known => (KNOWN as readonly string[]).includes(a);

/** The table of `counts`, captioned for a backtest or a shadow. */
export function RuleActionCounts({ counts, of }: { counts: readonly RuleActionCount[] | undefined; of: 'backtest' | 'shadow' }): ReactNode {
  const { t } = useI18n();
  if (counts === undefined || counts.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="data" data-testid={`${of}-actions`}>
        <caption>{t(`rules.actions.caption.${of}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rules.actions.rule')}</th>
            <th scope="col">{t('rules.actions.action')}</th>
            <th scope="col" className="num">{t('rules.actions.taken')}</th>
            <th scope="col" className="num">{t('rules.actions.capped')}</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((c) => (
            <tr key={`${c.rule} ${c.action}`}>
              <td><code>{c.rule}</code></td>
              <td>{isKnown(c.action) ? t(`rules.actions.kind.${c.action}`) : c.action}</td>
              <td className="num">{formatNumber(c.taken)}</td>
              <td className="num">{formatNumber(c.capped)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
