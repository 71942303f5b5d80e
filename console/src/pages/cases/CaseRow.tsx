/** One case of the queue: its id opens the case page, the button beside it expands the row to what the queue knows beyond the columns. */
import { useState, type ReactNode } from 'react';
import type { CaseSummary } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { issueName, STATUS_NAMES } from '../../ui/names';
import { hrefOfRecord } from '../../ui/route';
import { subjectHref } from './CasePage';

/** The number of columns of the queue table (for the expanded row). */
export const CASE_COLUMNS = 10;

/** A row and, when expanded, the row under it. */
export function CaseRow({ c }: { c: CaseSummary }): ReactNode {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const detailId = `case-detail-${c.id}`;
  return (
    <>
      <tr>
        <th scope="row" className="id">
          <button
            type="button"
            className="disclosure"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={t('cases.more', { id: c.id })}
            onClick={() => setOpen((v) => !v)}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>{' '}
          <a href={hrefOfRecord('cases', c.id)}>{c.id}</a>
        </th>
        <td>
          <span className="muted">{c.subjectKind}:</span>
          <a href={subjectHref(c.subjectKind, c.subjectId)}>{c.subjectId}</a>
        </td>
        <td>{issueName(t, c.issue)}</td>
        <td>{t(STATUS_NAMES[c.status])}</td>
        <td className="num">{formatMoney(c.priority)}</td>
        <td className="num">{formatNumber(c.risk, 1)}</td>
        <td className="num">{formatMoney(c.amount)}</td>
        <td className="num">{formatNumber(c.items)}</td>
        <td>{c.assignee ?? <span className="muted">{t('cases.unassigned')}</span>}</td>
        <td className="time">{formatTime(c.openedAt)}</td>
      </tr>
      {open ? (
        <tr id={detailId} className="expanded">
          <td colSpan={CASE_COLUMNS}>
            <dl className="pairs">
              <dt>{t('cases.openedBy')}</dt>
              <dd>{c.openedBy}</dd>
              <dt>{t('cases.updatedAt')}</dt>
              <dd>{formatTime(c.updatedAt)}</dd>
              <dt>{t('cases.resolution')}</dt>
              <dd>{c.resolution === null ? t('cases.unresolved') : t(c.resolution === 'fraud' ? 'cases.fraud' : 'cases.legitimate')}</dd>
              {c.typology === null ? null : (
                <>
                  <dt>{t('cases.typology')}</dt>
                  <dd>{c.typology}</dd>
                </>
              )}
              {c.resolvedAt === null ? null : (
                <>
                  <dt>{t('cases.resolvedAt')}</dt>
                  <dd>{t('cases.resolvedBy', { time: formatTime(c.resolvedAt), by: c.resolvedBy ?? '—' })}</dd>
                </>
              )}
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}
