/** How the window's risk scores spread over 0–100, as bars, with the counts as a table for screen readers. */
import { useMemo, type ReactNode } from 'react';
import type { Overview } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { Chart, type ChartSpec } from '../../ui/charts/Chart';
import { formatNumber } from '../../ui/format';

/** The histogram figure. */
export function ScoreHistogram({ o }: { o: Overview }): ReactNode {
  const { t } = useI18n();
  const bins = o.scoreHistogram;
  const spec = useMemo<ChartSpec>(
    () => ({ kind: 'bars', labels: bins.map((b) => `${b.from}–${b.to}`), values: bins.map((b) => b.count) }),
    [bins],
  );
  const summary = bins.map((b) => t('overview.histogramBin', { from: b.from, to: b.to, n: formatNumber(b.count) })).join('; ');
  return (
    <section className="panel" aria-labelledby="score-histogram">
      <h2 id="score-histogram">{t('overview.scores', { seconds: o.windowSeconds })}</h2>
      <Chart spec={spec} caption={t('overview.scoresCaption')} summary={summary}>
        <table className="sr-only">
          <caption>{t('overview.scoresCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('overview.scoreRange')}</th>
              <th scope="col">{t('overview.decisions')}</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((b) => (
              <tr key={b.from}>
                <td>{`${b.from}–${b.to}`}</td>
                <td>{formatNumber(b.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Chart>
    </section>
  );
}
