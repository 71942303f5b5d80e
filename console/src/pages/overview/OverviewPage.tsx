/**
 * The overview: what the engine is doing now, polled every 2 s from `GET /v1/overview` — rate,
 * outcome mix, latency, the rules firing most, the score distribution, open cases, lag and open alerts — each
 * figure with its unit and the time and window it covers.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import type { Overview } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { allows } from '../../ui/nav';
import { PageTitle } from '../../ui/PageTitle';
import { OpenAlerts } from './OpenAlerts';
import { OpenCases } from './OpenCases';
import { OutcomeMix } from './OutcomeMix';
import { addPoint, EMPTY_HISTORY } from './rate-history';
import { RateTrend } from './RateTrend';
import { ScoreHistogram } from './ScoreHistogram';
import { Stats } from './Stats';
import { TopRules } from './TopRules';

/** How often the figures are asked for. */
export const OVERVIEW_POLL_MS = 2000;

/** Five minutes of polls. */
const TREND_POINTS = 150;

/** The overview page. */
export function OverviewPage(): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const q = useApi<Overview>('/v1/overview', { refetchInterval: OVERVIEW_POLL_MS });
  const [history, setHistory] = useState(EMPTY_HISTORY);
  const o = q.data;
  useEffect(() => {
    if (o !== undefined) setHistory((h) => addPoint(h, o.at, o.decisionsPerSecond, TREND_POINTS));
  }, [o]);

  if (o === undefined) {
    return (
      <section>
        <PageTitle title={t('overview.title')} />
        {q.isError ? <ErrorNotice error={q.error} /> : <p className="muted">{t('common.loading')}</p>}
      </section>
    );
  }
  return (
    <section>
      <PageTitle
        title={t('overview.title')}
        sub={t('overview.figuresAt', { time: formatTime(o.at), seconds: o.windowSeconds, poll: OVERVIEW_POLL_MS / 1000 })}
      />
      {q.isError ? (
        <>
          <p className="notice notice-warn">{t('overview.stale')}</p>
          <ErrorNotice error={q.error} />
        </>
      ) : null}
      <Stats o={o} />
      <div className="grid">
        <OutcomeMix o={o} />
        <TopRules o={o} />
        <ScoreHistogram o={o} />
        <OpenCases o={o} canOpenQueue={allows(who, 'read')} />
      </div>
      <RateTrend history={history} />
      <OpenAlerts canAck={allows(who, 'work_cases')} />
    </section>
  );
}
