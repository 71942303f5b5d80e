/** The rules that fired most in the window, with their share of the window's decisions. */
import type { ReactNode } from 'react';
import type { Overview } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber, formatShare } from '../../ui/format';

/** A table of rule codes and hits; says so when no rule fired. */
export function TopRules({ o }: { o: Overview }): ReactNode {
  const { t } = useI18n();
  const decisions = o.outcomes.approve + o.outcomes.review + o.outcomes.challenge + o.outcomes.decline;
  return (
    <section className="panel" aria-labelledby="top-rules">
      <h2 id="top-rules">{t('overview.topRules', { seconds: o.windowSeconds })}</h2>
      {o.topRules.length === 0 ? (
        <p className="muted">{t('overview.noRules')}</p>
      ) : (
        <table className="data" data-testid="top-rules">
          <thead>
            <tr>
              <th scope="col">{t('overview.rule')}</th>
              <th scope="col" className="num">{t('overview.hits')}</th>
              <th scope="col" className="num">{t('overview.ofDecisions')}</th>
            </tr>
          </thead>
          <tbody>
            {o.topRules.map((r) => (
              <tr key={r.code}>
                <td><code>{r.code}</code></td>
                <td className="num">{formatNumber(r.hits)}</td>
                <td className="num">{formatShare(r.hits, decisions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
