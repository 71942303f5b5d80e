/** How the window's decisions split between approve, review, challenge and decline. */
import type { ReactNode } from 'react';
import type { Outcome, Overview } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber, formatShare } from '../../ui/format';
import { OUTCOME_NAMES } from '../../ui/names';

const ORDER: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];

/** A table of counts and shares, with a bar per outcome sized by its share. */
export function OutcomeMix({ o }: { o: Overview }): ReactNode {
  const { t } = useI18n();
  const total = ORDER.reduce((s, k) => s + o.outcomes[k], 0);
  return (
    <section className="panel" aria-labelledby="outcome-mix">
      <h2 id="outcome-mix">{t('overview.outcomes', { seconds: o.windowSeconds })}</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t('overview.outcome')}</th>
            <th scope="col" className="num">{t('overview.decisions')}</th>
            <th scope="col" className="num">{t('overview.share')}</th>
            <th scope="col" className="bar-col"><span className="sr-only">{t('overview.shareBar')}</span></th>
          </tr>
        </thead>
        <tbody>
          {ORDER.map((k) => (
            <tr key={k}>
              <th scope="row">{t(OUTCOME_NAMES[k])}</th>
              <td className="num">{formatNumber(o.outcomes[k])}</td>
              <td className="num">{formatShare(o.outcomes[k], total)}</td>
              <td className="bar-col">
                <span className={`bar bar-${k}`} style={{ width: total > 0 ? `${(100 * o.outcomes[k]) / total}%` : '0' }} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('overview.total')}</th>
            <td className="num">{formatNumber(total)}</td>
            <td />
            <td />
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
