/**
 * The audit log from `GET /v1/audit`: who changed what, when, with the state before and after;
 * newest first, filtered, paged with the API's `before` cursor.
 */
import { useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import type { AuditEntry, AuditPage as AuditAnswer } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { PageTitle } from '../../ui/PageTitle';
import { Pager } from '../../ui/Pager';
import { useCursor } from '../../ui/use-cursor';
import { AuditFiltersForm } from './AuditFiltersForm';
import { auditPath, NO_AUDIT_FILTERS, type AuditFilters } from './query';

function json(v: unknown): string {
  return v === null || v === undefined ? '—' : JSON.stringify(v, null, 2);
}

function Row({ e }: { e: AuditEntry }): ReactNode {
  const { t } = useI18n();
  return (
    <tr>
      <td className="num">{e.seq}</td>
      <td className="time">{formatTime(e.at)}</td>
      <td><code>{e.actor}</code></td>
      <td><code>{e.action}</code></td>
      <td><code>{e.target}</code></td>
      <td>
        <details>
          <summary>{t('audit.showChange')}</summary>
          <div className="change">
            <div>
              <h3>{t('audit.before')}</h3>
              <pre>{json(e.before)}</pre>
            </div>
            <div>
              <h3>{t('audit.after')}</h3>
              <pre>{json(e.after)}</pre>
            </div>
          </div>
        </details>
      </td>
    </tr>
  );
}

/** The audit page. */
export function AuditPage(): ReactNode {
  const { t } = useI18n();
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const cursor = useCursor<number>();
  const q = useApi<AuditAnswer>(auditPath(filters, cursor.current), { keepPrevious: true });
  const entries = q.data?.entries;
  return (
    <section>
      <PageTitle title={t('audit.title')} sub={t('audit.order')} />
      <AuditFiltersForm
        onApply={(f) => {
          setFilters(f);
          cursor.reset();
        }}
      />
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {entries === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : entries.length === 0 ? (
        <p className="notice">{t('audit.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <caption className="sr-only">{t('audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">{t('audit.seq')}</th>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.change')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <Row key={e.seq} e={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursor={cursor} next={q.data?.next} busy={q.isFetching} />
    </section>
  );
}
