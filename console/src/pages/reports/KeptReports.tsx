/**
 * The reports the scheduler made and kept (`GET /v1/reports`: the weekly risk report, every Monday
 * 09:00 Asia/Shanghai), each downloadable as the printable page in English or Chinese (the jobs
 * themselves: ScheduledJobs.tsx).
 */
import { useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { fetchHtml, saveHtml } from './download';

/** A kept report as listed. */
interface KeptReport {
  readonly id: number;
  readonly kind: string;
  readonly from: number;
  readonly to: number;
  readonly generatedAt: number;
}

function DownloadKept({ r, lang, label }: { r: KeptReport; lang: 'en' | 'zh-CN'; label: string }): ReactNode {
  const { key } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const day = new Date(r.from + 8 * 3_600_000).toISOString().slice(0, 10);
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          fetchHtml(`/v1/reports/${r.id}?format=html&lang=${lang}`, key)
            .then((html) => saveHtml(html, `fengkong-weekly-${day}-${lang}.html`))
            .catch((e: unknown) => setError(e))
            .finally(() => setBusy(false));
        }}
      >
        {label}
      </button>
      {error === null ? null : <ErrorNotice error={error} />}
    </>
  );
}

/** The kept reports, newest first. */
export function KeptReports(): ReactNode {
  const { t } = useI18n();
  const q = useApi<{ reports: KeptReport[] }>('/v1/reports');
  const reports = q.data?.reports ?? [];
  return (
    <section className="panel" aria-labelledby="kept-reports">
      <h2 id="kept-reports">{t('reports.kept')}</h2>
      <p className="muted">{t('reports.keptSub')}</p>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {reports.length === 0 ? (
        <p className="muted">{q.data === undefined ? t('common.loading') : t('reports.keptNone')}</p>
      ) : (
        <table className="data" data-testid="kept-reports">
          <thead>
            <tr>
              <th scope="col">{t('reports.keptPeriod')}</th>
              <th scope="col">{t('reports.keptMade')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.id}>
                <td>{`${formatTime(r.from)} – ${formatTime(r.to)}`}</td>
                <td>{formatTime(r.generatedAt)}</td>
                <td>
                  <DownloadKept r={r} lang="en" label={t('reports.keptEnglish')} /> <DownloadKept r={r} lang="zh-CN" label={t('reports.keptChinese')} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
