/**
 * The case queue from `GET /v1/cases`: highest priority (risk × amount at stake) first, filtered by
 * state, issue, subject and assignee (kept in the address), paged with the API's cursor. A case id opens the case page (`#/cases/<id>`); the
 * disclosure button beside it expands the row to what the queue already knows.
 */
import { useId, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import type { CasePage as CaseQueuePage } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { issueName } from '../../ui/names';
import { PageTitle } from '../../ui/PageTitle';
import { Pager } from '../../ui/Pager';
import { useCursor } from '../../ui/use-cursor';
import { useHash, useHashRecord } from '../../ui/route';
import { CasePage } from './CasePage';
import type { MessageKey } from '../../i18n/en';
import { CaseRow } from './CaseRow';
import { casesPath, filtersOfHash, hashOfFilters, ISSUE_FILTERS, STATE_FILTERS, type CaseFilters, type StateFilter } from './filters';

const STATE_LABELS: Readonly<Record<StateFilter, MessageKey>> = {
  active: 'cases.stateActive',
  open: 'caseStatus.open',
  investigating: 'caseStatus.investigating',
  resolved: 'caseStatus.resolved',
  all: 'cases.stateAll',
};

/** The queue, or the case the address names (`#/cases/<id>`). */
export function CasesPage(): ReactNode {
  const id = useHashRecord();
  return id === null ? <CaseQueue /> : <CasePage id={id} />;
}

/** The queue page: its filters are the address's, so a change of filter is a new page (cursor reset). */
function CaseQueue(): ReactNode {
  const hash = useHash();
  const filters = filtersOfHash(hash);
  return <FilteredQueue key={hashOfFilters(filters)} filters={filters} />;
}

function go(f: CaseFilters): void {
  window.location.hash = hashOfFilters(f);
}

/** The queue with one set of filters. */
function FilteredQueue({ filters }: { filters: CaseFilters }): ReactNode {
  const { t } = useI18n();
  const { state, issue } = filters;
  const [subject, setSubject] = useState(filters.subject);
  const [assignee, setAssignee] = useState(filters.assignee);
  const cursor = useCursor<string>();
  const q = useApi<CaseQueuePage>(casesPath(filters, cursor.current), { keepPrevious: true });
  const stateId = useId();
  const issueId = useId();
  const subjectId = useId();
  const assigneeId = useId();
  const cases = q.data?.cases;

  return (
    <section>
      <PageTitle title={t('cases.title')} sub={t('cases.order')} />
      <form
        className="filters"
        aria-label={t('cases.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filters, subject, assignee });
        }}
      >
        <label htmlFor={stateId}>{t('cases.state')}</label>
        <select
          id={stateId}
          value={state}
          onChange={(e) => go({ ...filters, subject, assignee, state: STATE_FILTERS.find((s) => s === e.target.value) ?? 'active' })}
        >
          {STATE_FILTERS.map((s) => (
            <option key={s} value={s}>{t(STATE_LABELS[s])}</option>
          ))}
        </select>
        <label htmlFor={issueId}>{t('cases.issue')}</label>
        <select
          id={issueId}
          value={issue}
          onChange={(e) => go({ ...filters, subject, assignee, issue: ISSUE_FILTERS.find((s) => s === e.target.value) ?? '' })}
        >
          {ISSUE_FILTERS.map((s) => (
            <option key={s} value={s}>{s === '' ? t('cases.anyIssue') : s === 'detector:' ? t('cases.anyDetector') : issueName(t, s)}</option>
          ))}
        </select>
        <label htmlFor={subjectId}>{t('cases.subject')}</label>
        <input id={subjectId} type="text" value={subject} autoComplete="off" spellCheck={false} placeholder={t('cases.subjectHint')} onChange={(e) => setSubject(e.target.value)} />
        <label htmlFor={assigneeId}>{t('cases.assignee')}</label>
        <input id={assigneeId} type="text" value={assignee} autoComplete="off" spellCheck={false} placeholder={t('cases.assigneeHint')} onChange={(e) => setAssignee(e.target.value)} />
        <button type="submit" className="btn">{t('cases.applyFilters')}</button>
        {q.isFetching ? <span className="muted" aria-live="polite">{t('common.loading')}</span> : null}
      </form>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {cases === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : cases.length === 0 ? (
        <p className="notice">{t('cases.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="case-queue">
            <caption className="sr-only">{t('cases.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('cases.case')}</th>
                <th scope="col">{t('cases.subject')}</th>
                <th scope="col">{t('cases.issue')}</th>
                <th scope="col">{t('cases.state')}</th>
                <th scope="col" className="num">{t('cases.priority')}</th>
                <th scope="col" className="num">{t('cases.risk')}</th>
                <th scope="col" className="num">{t('cases.amount')}</th>
                <th scope="col" className="num">{t('cases.items')}</th>
                <th scope="col">{t('cases.assignee')}</th>
                <th scope="col">{t('cases.opened')}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <CaseRow key={c.id} c={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursor={cursor} next={q.data?.next} busy={q.isFetching} />
    </section>
  );
}
