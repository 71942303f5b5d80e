/** Decisions per second over the polls this page has made, as a line. */
import { useMemo, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { Chart, type ChartSpec } from '../../ui/charts/Chart';
import { formatNumber, formatTime } from '../../ui/format';
import type { RateHistory } from './rate-history';

/** The trend figure; until two polls have answered there is nothing to draw, and it says so. */
export function RateTrend({ history }: { history: RateHistory }): ReactNode {
  const { t } = useI18n();
  const spec = useMemo<ChartSpec>(
    () => ({ kind: 'line', seconds: history.seconds, values: history.values, unit: t('unit.perSecondShort') }),
    [history, t],
  );
  const first = history.seconds[0];
  const last = history.values.at(-1);
  return (
    <section className="panel" aria-labelledby="rate-trend">
      <h2 id="rate-trend">{t('overview.trend')}</h2>
      {first === undefined || history.seconds.length < 2 || last === undefined ? (
        <p className="muted">{t('overview.trendWaiting')}</p>
      ) : (
        <Chart
          spec={spec}
          caption={t('overview.trendCaption', { since: formatTime(first * 1000) })}
          summary={t('overview.trendSummary', { n: history.values.length, last: formatNumber(last, 1) })}
          height={140}
        />
      )}
    </section>
  );
}
