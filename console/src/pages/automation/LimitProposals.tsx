/**
 * The lower limits the weekly credit-rating job proposes (`GET /v1/limit-proposals`): accounts graded
 * D (70 % of the limit in force) or E (50 %), pending by default. Admins tick proposals and approve
 * them — each becomes a `lower_limit` action taken by that admin, told to the customer — or reject
 * them, in bulk, with a note; the server's answer (how many were decided, which were skipped and why)
 * is shown and the list read again. Everyone else with `read` sees the list without the buttons.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useAction, useApi } from '../../api/session-context';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatShare, formatTime } from '../../ui/format';
import { hrefOfRecord } from '../../ui/route';
import { decisionBody, decisionOutcome, MAX_NOTE, proposalsPath, type ProposalFilter } from './decision';
import { PROPOSAL_STATE_NAMES, STATE_CLASSES } from './names';
import { allState, effective, selectable, toggle, toggleAll } from './selection';
import { PROPOSAL_STATES, type LimitDecisionAnswer, type LimitProposal } from './types';

/** What a decision changes: the proposals, the accounts' restrictions, the audit log. */
const INVALIDATES = ['/v1/limit-proposals', '/v1/accounts/', '/v1/audit'];

const FIELD_ERRORS: Readonly<Record<'selection' | 'note' | 'noteLong', MessageKey>> = {
  selection: 'proposals.selectionMissing',
  note: 'proposals.noteMissing',
  noteLong: 'proposals.noteLong',
};

/** The select-all box: ticked when every pending row is, indeterminate when some are. */
function SelectAll({ state, onClick }: { state: 'none' | 'some' | 'all'; onClick: () => void }): ReactNode {
  const { t } = useI18n();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current !== null) ref.current.indeterminate = state === 'some';
  }, [state]);
  return <input ref={ref} type="checkbox" aria-label={t('proposals.selectAll')} checked={state === 'all'} onChange={onClick} />;
}

/** The note and the Approve / Reject buttons for the ticked proposals. */
function Decide({ ids, onDecided }: { ids: readonly number[]; onDecided: () => void }): ReactNode {
  const { t } = useI18n();
  const approve = useAction<{ ids: number[]; note: string }, LimitDecisionAnswer>('/v1/limit-proposals/approve', INVALIDATES);
  const reject = useAction<{ ids: number[]; note: string }, LimitDecisionAnswer>('/v1/limit-proposals/reject', INVALIDATES);
  const [note, setNote] = useState('');
  const [local, setLocal] = useState<MessageKey | null>(null);
  const [said, setSaid] = useState<{ approved: boolean; done: number; skipped: readonly { id: number; why: string }[] } | null>(null);
  const busy = approve.isPending || reject.isPending;
  const error = approve.error ?? reject.error;

  const send = (approved: boolean): void => {
    const r = decisionBody(ids, note);
    if ('field' in r) {
      setLocal(FIELD_ERRORS[r.field]);
      return;
    }
    setLocal(null);
    setSaid(null);
    approve.reset();
    reject.reset();
    (approved ? approve : reject).mutateAsync(r.body).then(
      (answer) => {
        setSaid({ approved, ...decisionOutcome(answer) });
        setNote('');
        onDecided();
      },
      () => undefined, // shown from the mutation's error
    );
  };

  return (
    <form className="decide" aria-labelledby="decide-title" onSubmit={(e) => e.preventDefault()}>
      <h3 id="decide-title">{t('proposals.decideTitle', { n: ids.length })}</h3>
      <div className="field">
        <label htmlFor="decide-note">{t('proposals.note')}</label>
        <textarea
          id="decide-note"
          rows={2}
          value={note}
          maxLength={MAX_NOTE}
          onChange={(e) => setNote(e.target.value)}
          aria-describedby="decide-note-hint"
          aria-invalid={local === 'proposals.noteMissing' || local === 'proposals.noteLong' ? true : undefined}
        />
        <span id="decide-note-hint" className="muted hint">{t('proposals.noteHint')}</span>
      </div>
      <div className="action-buttons">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => send(true)}>
          {t('proposals.approve', { n: ids.length })}
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => send(false)}>
          {t('proposals.reject', { n: ids.length })}
        </button>
        {busy ? <span className="muted">{t('action.sending')}</span> : null}
      </div>
      {local === null ? null : (
        <p className="field-error" role="alert">
          {t(local)}
        </p>
      )}
      {error === null ? null : <ErrorNotice error={error} />}
      <div role="status" data-testid="decision-result">
        {said === null ? null : (
          <>
            <p className="done">{t(said.approved ? 'proposals.approvedDone' : 'proposals.rejectedDone', { n: said.done })}</p>
            {said.skipped.length === 0 ? null : (
              <>
                <p>{t('proposals.skipped', { n: said.skipped.length })}</p>
                <ul className="plain">
                  {said.skipped.map((s) => (
                    <li key={s.id}>{t('proposals.skippedOne', { id: s.id, why: s.why })}</li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </div>
    </form>
  );
}

function Decided({ p }: { p: LimitProposal }): ReactNode {
  const { t } = useI18n();
  if (p.decidedAt === null) return '—';
  return (
    <>
      <span className="nowrap">{t('proposals.decidedBy', { who: p.decidedBy ?? '—', time: formatTime(p.decidedAt) })}</span>
      {p.note === null || p.note === '' ? null : <span className="muted"> · {p.note}</span>}
    </>
  );
}

/** The proposals panel. */
export function LimitProposals({ admin }: { admin: boolean }): ReactNode {
  const { t } = useI18n();
  const [filter, setFilter] = useState<ProposalFilter>('pending');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const q = useApi<{ proposals: readonly LimitProposal[] }>(proposalsPath(filter), { keepPrevious: true });
  const rows = q.data?.proposals;
  const shown = rows ?? [];
  const ticking = admin && selectable(shown).length > 0;
  const chosen = effective(selected, shown);
  return (
    <section className="panel" aria-labelledby="limit-proposals" data-testid="limit-proposals">
      <h2 id="limit-proposals">{t('proposals.title')}</h2>
      <p className="muted">{admin ? t('proposals.introAdmin') : t('proposals.introRead')}</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="proposal-state">{t('proposals.state')}</label>
          <select
            id="proposal-state"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value as ProposalFilter);
              setSelected(new Set());
            }}
          >
            {PROPOSAL_STATES.map((s) => (
              <option key={s} value={s}>{t(PROPOSAL_STATE_NAMES[s])}</option>
            ))}
            <option value="all">{t('proposals.states.all')}</option>
          </select>
        </div>
      </div>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {rows === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="notice">{filter === 'pending' ? t('proposals.nonePending') : t('proposals.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="proposals-table">
            <caption className="sr-only">{t('proposals.caption')}</caption>
            <thead>
              <tr>
                {ticking ? (
                  <th scope="col">
                    <SelectAll state={allState(selected, shown)} onClick={() => setSelected(toggleAll(selected, shown))} />
                  </th>
                ) : null}
                <th scope="col">{t('proposals.account')}</th>
                <th scope="col">{t('proposals.grade')}</th>
                <th scope="col" className="num">{t('proposals.currentLimit')}</th>
                <th scope="col" className="num">{t('proposals.proposedLimit')}</th>
                <th scope="col">{t('proposals.slot')}</th>
                <th scope="col">{t('proposals.stateColumn')}</th>
                <th scope="col">{t('proposals.decided')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} className={selected.has(p.id) && p.state === 'pending' ? 'selected' : undefined}>
                  {ticking ? (
                    <td>
                      {p.state === 'pending' ? (
                        <input type="checkbox" aria-label={t('proposals.select', { account: p.accountId })} checked={selected.has(p.id)} onChange={() => setSelected(toggle(selected, p.id))} />
                      ) : null}
                    </td>
                  ) : null}
                  <th scope="row" className="id">
                    <a href={hrefOfRecord('accounts', p.accountId)}>{p.accountId}</a>
                  </th>
                  <td>
                    <span className={`grade grade-sm grade-${p.grade}`}>{p.grade}</span>
                  </td>
                  <td className="num">{formatMoney(p.currentLimit)}</td>
                  <td className="num">
                    {formatMoney(p.proposedLimit)} <span className="muted">({formatShare(p.proposedLimit, p.currentLimit)})</span>
                  </td>
                  <td className="time">{formatTime(p.slot)}</td>
                  <td>
                    <span className={STATE_CLASSES[p.state]}>{t(PROPOSAL_STATE_NAMES[p.state])}</span>
                  </td>
                  <td>
                    <Decided p={p} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows !== undefined && rows.length >= 500 ? <p className="muted">{t('proposals.latestOnly', { n: 500 })}</p> : null}
      {admin && rows !== undefined && (filter === 'pending' || filter === 'all') ? <Decide ids={chosen} onDecided={() => setSelected(new Set())} /> : null}
    </section>
  );
}
