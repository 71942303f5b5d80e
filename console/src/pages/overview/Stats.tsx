/** The headline figures of the window: rate, latency, open cases, journal and case-feed lag. */
import type { ReactNode } from 'react';
import type { Overview } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatLatency, formatNumber } from '../../ui/format';

function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }): ReactNode {
  return (
    <div className="stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {note === undefined ? null : <span className="stat-note">{note}</span>}
      </dd>
    </div>
  );
}

/** The tiles across the top of the overview, each figure with its unit. */
export function Stats({ o }: { o: Overview }): ReactNode {
  const { t } = useI18n();
  const feed = o.caseFeed;
  return (
    <dl className="stats">
      <Stat testId="stat-rate" label={t('overview.rate')} value={t('unit.perSecond', { n: formatNumber(o.decisionsPerSecond, 1) })} />
      <Stat testId="stat-p50" label={t('overview.latencyP50')} value={formatLatency(o.latencyUs.p50)} />
      <Stat testId="stat-p99" label={t('overview.latencyP99')} value={formatLatency(o.latencyUs.p99)} />
      <Stat testId="stat-open-cases" label={t('overview.openCases')} value={formatNumber(o.openCases.total)} />
      <Stat
        testId="stat-journal"
        label={t('overview.journal')}
        value={t('overview.journalPending', { n: formatNumber(o.journal.pendingEntries) })}
        note={t('overview.journalLastSeq', { seq: formatNumber(o.journal.lastSeq) })}
      />
      <Stat
        testId="stat-case-feed"
        label={t('overview.caseFeed')}
        value={feed === null ? t('overview.caseFeedOff') : t('overview.caseFeedBehind', { n: formatNumber(feed.behind) })}
      />
    </dl>
  );
}
