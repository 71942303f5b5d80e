/**
 * The scheduler's jobs (`GET /v1/reports`): what each does, when it runs on the Asia/Shanghai clock
 * (moved by the server's schedule file) and when it last ran — so the team can see the night's
 * re-rating and list expiry ran before reading the morning's review queue.
 */
import type { ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { scheduledJobs } from './schedule';

const JOBS = ['list_expiry', 'rerate_idle', 'review_queue', 'limit_proposals', 'weekly_report'] as const;
type Job = (typeof JOBS)[number];
const isJob = (n: string): n is Job => (JOBS as readonly string[]).includes(n);
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The jobs table. */
export function ScheduledJobs(): ReactNode {
  const { t } = useI18n();
  const q = useApi<{ schedule?: Record<string, string>; lastRuns: Record<string, number | null> }>('/v1/reports');
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (q.data === undefined) return null;
  const jobs = scheduledJobs(q.data.schedule, q.data.lastRuns);
  return (
    <section className="panel" aria-labelledby="scheduled-jobs">
      <h2 id="scheduled-jobs">{t('reports.jobs')}</h2>
      <p className="muted">{t('reports.jobsSub')}</p>
      <table className="data" data-testid="scheduled-jobs">
        <thead>
          <tr>
            <th scope="col">{t('reports.jobsName')}</th>
            <th scope="col">{t('reports.jobsWhen')}</th>
            <th scope="col">{t('reports.jobsLast')}</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.name}>
              <td>{isJob(j.name) ? t(`reports.job.${j.name}`) : <code>{j.name}</code>}</td>
              <td className="nowrap">
                {j.weekday === null ? j.time : j.weekday === 0 ? t('reports.jobsDaily', { time: j.time }) : t(`reports.jobsWeekly.${WEEKDAYS[j.weekday - 1]}`, { time: j.time })}
              </td>
              <td>{j.lastRun === null ? t('reports.jobsNever') : formatTime(j.lastRun)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
