/**
 * The case queue from `GET /v1/cases`: highest priority (risk × amount at stake) first, filtered by
 * state and issue, paged with the API's cursor. A case id opens the case page (`#/cases/<id>`); the
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
import { useHashRecord } from '../../ui/route';
import { CasePage } from './CasePage';
import type { MessageKey } from '../../i18n/en';
import { CaseRow } from './CaseRow';
import { casesPath, ISSUE_FILTERS, STATE_FILTERS, type IssueFilter, type StateFilter } from './filters';

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

/** The queue page. */
function CaseQueue(): ReactNode {
  const { t } = useI18n();
  const [state, setState] = useState<StateFilter>('active');
  const [issue, setIssue] = useState<IssueFilter>('');
  const cursor = useCursor<string>();
  const q = useApi<CaseQueuePage>(casesPath(state, issue, cursor.current), { keepPrevious: true });
  const stateId = useId();
  const issueId = useId();
  const cases = q.data?.cases;

  return (
    <section>
      <PageTitle title={t('cases.title')} sub={t('cases.order')} />
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={stateId}>{t('cases.state')}</label>
        <select
          id={stateId}
          value={state}
          onChange={(e) => {
            setState(STATE_FILTERS.find((s) => s === e.target.value) ?? 'active');
            cursor.reset();
          }}
        >
          {STATE_FILTERS.map((s) => (
            <option key={s} value={s}>{t(STATE_LABELS[s])}</option>
          ))}
        </select>
        <label htmlFor={issueId}>{t('cases.issue')}</label>
        <select
          id={issueId}
          value={issue}
          onChange={(e) => {
            setIssue(ISSUE_FILTERS.find((s) => s === e.target.value) ?? '');
            cursor.reset();
          }}
        >
          {ISSUE_FILTERS.map((s) => (
            <option key={s} value={s}>{s === '' ? t('cases.anyIssue') : s === 'detector:' ? t('cases.anyDetector') : issueName(t, s)}</option>
          ))}
        </select>
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
