/**
 * One case, from `GET /v1/cases/{id}`: what it is about (subject, issue, state, priority, risk, money
 * at stake, assignee), its items, notes and history, the analyst's actions, and the evidence gathered
 * now. The subject is a link to its account or merchant page.
 */
import { useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import type { CaseView } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { issueName, STATUS_NAMES } from '../../ui/names';
import { allows } from '../../ui/nav';
import { hrefOf, hrefOfRecord } from '../../ui/route';
import { CaseActions } from './CaseActions';
import { Evidence } from './Evidence';
import { ShowAll } from './ShowAll';

/** The page of a subject: accounts for an account, merchants for a merchant or terminal. */
export function subjectHref(kind: string, id: string): string {
  return hrefOfRecord(kind === 'account' ? 'accounts' : 'merchants', id);
}

/** How many rows a long list shows before "Show all". */
export const FIRST_ROWS = 10;

function Items({ view }: { view: CaseView }): ReactNode {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const items = all ? view.items : view.items.slice(0, FIRST_ROWS);
  return (
    <div className="table-wrap">
    <table className="data" data-testid="case-items">
      <caption className="sr-only">{t('case.items')}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t('case.itemWhen')}</th>
          <th scope="col">{t('case.itemSource')}</th>
          <th scope="col">{t('evidence.payment')}</th>
          <th scope="col" className="num">{t('cases.risk')}</th>
          <th scope="col" className="num">{t('cases.amount')}</th>
          <th scope="col">{t('case.itemNote')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.n}>
            <th scope="row">{i.n}</th>
            <td className="time">{formatTime(i.at)}</td>
            <td>{i.actor}</td>
            <td className="id">{i.txId ?? i.ref ?? '—'}</td>
            <td className="num">{formatNumber(i.risk, 1)}</td>
            <td className="num">{formatMoney(i.amount)}</td>
            <td>{i.note ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <ShowAll shown={items.length} total={view.items.length} onShowAll={() => setAll(true)} />
    </div>
  );
}

function Notes({ view }: { view: CaseView }): ReactNode {
  const { t } = useI18n();
  const { notes, history } = view.case;
  return (
    <>
      {notes.length === 0 ? (
        <p className="muted">{t('case.noNotes')}</p>
      ) : (
        <ol className="notes" data-testid="case-notes">
          {notes.map((n) => (
            <li key={n.n}>
              <p className="note-text">{n.text}</p>
              <p className="muted">{t('case.noteBy', { by: n.author, time: formatTime(n.at) })}</p>
            </li>
          ))}
        </ol>
      )}
      <details>
        <summary>{t('case.history', { n: history.length })}</summary>
        <ol className="history">
          {history.map((h) => (
            <li key={h.n}>
              <span className="time">{formatTime(h.at)}</span> · {h.actor} · <code>{h.action}</code>
              {h.from === null && h.to === null ? null : <span className="muted"> {`${h.from ?? '—'} → ${h.to ?? '—'}`}</span>}
            </li>
          ))}
        </ol>
      </details>
    </>
  );
}

/** The case page. */
export function CasePage({ id }: { id: string }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const q = useApi<CaseView>(`/v1/cases/${encodeURIComponent(id)}`);
  const v = q.data;
  return (
    <section>
      <p className="crumbs">
        <a href={hrefOf('cases')}>{t('case.backToQueue')}</a>
      </p>
      <div className="page-title">
        <h1>{t('case.title', { id })}</h1>
        {v === undefined ? null : (
          <p className="muted">{t('case.sub', { issue: issueName(t, v.case.issue), time: formatTime(v.case.openedAt), by: v.case.openedBy })}</p>
        )}
      </div>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {v === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <dl className="stats" data-testid="case-header">
            <div className="stat">
              <dt>{t('cases.subject')}</dt>
              <dd className="stat-value">
                <a href={subjectHref(v.case.subjectKind, v.case.subjectId)} data-testid="case-subject">{v.case.subjectId}</a>
                <span className="stat-note">{t(v.case.subjectKind === 'account' ? 'case.kindAccount' : v.case.subjectKind === 'merchant' ? 'case.kindMerchant' : 'case.kindTerminal')}</span>
              </dd>
            </div>
            <div className="stat">
              <dt>{t('cases.state')}</dt>
              <dd className="stat-value">{t(STATUS_NAMES[v.case.status])}
                {v.case.resolution === null ? null : (
                  <span className="stat-note">{`${t(v.case.resolution === 'fraud' ? 'cases.fraud' : 'cases.legitimate')}${v.case.typology === null ? '' : ` · ${v.case.typology}`}`}</span>
                )}
              </dd>
            </div>
            <div className="stat">
              <dt>{t('cases.priority')}</dt>
              <dd className="stat-value">{formatMoney(v.case.priority)}</dd>
            </div>
            <div className="stat">
              <dt>{t('cases.risk')}</dt>
              <dd className="stat-value">{formatNumber(v.case.risk, 1)}</dd>
            </div>
            <div className="stat">
              <dt>{t('cases.amount')}</dt>
              <dd className="stat-value">{formatMoney(v.case.amount)}</dd>
            </div>
            <div className="stat">
              <dt>{t('cases.assignee')}</dt>
              <dd className="stat-value" data-testid="case-assignee">{v.case.assignee ?? <span className="muted">{t('cases.unassigned')}</span>}</dd>
            </div>
          </dl>
          <div className="grid">
            {allows(who, 'work_cases') ? <CaseActions view={v} /> : null}
            <section className="panel" aria-labelledby="case-notes-h">
              <h2 id="case-notes-h">{t('case.notes')}</h2>
              <Notes view={v} />
            </section>
          </div>
          <section className="panel" aria-labelledby="case-items-h">
            <h2 id="case-items-h">{t('case.itemsTitle', { n: v.items.length })}</h2>
            <Items view={v} />
          </section>
          {v.evidence === undefined ? null : <Evidence e={v.evidence} subjectId={v.case.subjectId} />}
        </>
      )}
    </section>
  );
}
