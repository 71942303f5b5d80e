/**
 * Incident modes: overlays of rules and settings on the live version. Each row shows the approved
 * definition, whether it is on (who switched it on and when) and any definition waiting for a second
 * admin (who proposed it). Admin keys create and change modes in an editor compiled by the server as
 * they type — saving only proposes (four eyes) —, approve or reject another admin's proposal (the
 * proposer sees why they cannot, and may withdraw), and switch approved modes on and off in one click.
 */
import { useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { usePolicyAction, useMayChange } from './actions';
import { ModeEditor } from './ModeEditor';
import { editorStart, explainModeAction, isApproved, modeReview } from './modes';
import type { IncidentMode, ModeList } from './types';

type ModeStep = 'on' | 'off' | 'approve' | 'reject';

/** The pending definition of a mode and, for admins, what they may do about it. */
function Pending({ m, may, act }: { m: IncidentMode; may: boolean; act: (s: ModeStep) => void }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const review = modeReview(m, who.keyId);
  if (review.kind === 'none') return null;
  const p = review.proposal;
  return (
    <div className="four-eyes mode-pending" data-testid={`mode-pending-${m.name}`}>
      <p>
        {t(isApproved(m) ? 'rules.modeChangeProposed' : 'rules.modeFirstProposed', { key: p.proposedBy, at: formatTime(p.proposedAt) })}{' '}
        <strong>{p.description}</strong>
      </p>
      <details>
        <summary>{t('rules.modeProposedRules')}</summary>
        <pre className="file-text">{p.rules}</pre>
      </details>
      {may ? (
        <>
          <p className="small">{review.kind === 'own' ? t('rules.modeOwnHint', { key: p.proposedBy }) : t('rules.modeOtherHint', { key: p.proposedBy })}</p>
          {review.kind === 'other' ? (
            <button type="button" className="btn btn-primary" aria-label={t('rules.modeApproveNamed', { name: m.name })} onClick={() => act('approve')}>
              {t('rules.modeApprove')}
            </button>
          ) : null}{' '}
          <button type="button" className="btn" aria-label={t(review.kind === 'own' ? 'rules.modeWithdrawNamed' : 'rules.modeRejectNamed', { name: m.name })} onClick={() => act('reject')}>
            {review.kind === 'own' ? t('rules.withdraw') : t('rules.reject')}
          </button>
        </>
      ) : null}
    </div>
  );
}

function ModeRow({ m, may, onEdit }: { m: IncidentMode; may: boolean; onEdit: () => void }): ReactNode {
  const { t } = useI18n();
  const step = usePolicyAction<ModeStep>((s) => `/v1/modes/${encodeURIComponent(m.name)}/${s}`, (s) => (s === 'reject' ? {} : undefined));
  const approved = isApproved(m);
  return (
    <tr data-testid={`mode-${m.name}`}>
      <th scope="row"><code>{m.name}</code></th>
      <td>
        {approved ? (
          <>
            {m.description}
            <details>
              <summary>{t('rules.modeRules')}</summary>
              <pre className="file-text">{m.rules}</pre>
            </details>
            <div className="muted small">{t('rules.modeApprovedBy', { key: m.approvedBy ?? '—', at: formatTime(m.approvedAt ?? 0), proposer: m.approvedProposer ?? '—' })}</div>
          </>
        ) : (
          <span className="muted">{t('rules.modeNeverApproved')}</span>
        )}
        <Pending m={m} may={may} act={(s) => step.mutate(s)} />
        {step.isError ? <p role="alert" className="notice notice-error">{explainModeAction(t, step.error, m.name)}</p> : null}
      </td>
      <td>
        <span className={`state ${m.active ? 'state-live' : ''}`}>{m.active ? t('rules.modeOn') : t('rules.modeOff')}</span>
        {m.active && m.activeSince !== null ? (
          <div className="muted small">{t('rules.modeSince', { at: formatTime(m.activeSince), key: m.activeBy ?? '—' })}</div>
        ) : null}
      </td>
      {may ? (
        <td>
          {approved || m.active ? (
            <button
              type="button"
              className={m.active ? 'btn' : 'btn btn-primary'}
              disabled={step.isPending}
              aria-label={m.active ? t('rules.modeSwitchOff', { name: m.name }) : t('rules.modeSwitchOn', { name: m.name })}
              onClick={() => step.mutate(m.active ? 'off' : 'on')}
            >
              {m.active ? t('rules.modeTurnOff') : t('rules.modeTurnOn')}
            </button>
          ) : (
            <p className="muted small">{t('rules.modeCannotSwitch')}</p>
          )}{' '}
          <button type="button" className="btn" aria-label={t('rules.modeEditNamed', { name: m.name })} onClick={onEdit}>
            {t('rules.modeEdit')}
          </button>
        </td>
      ) : null}
    </tr>
  );
}

/** The incident modes table, and the editor for admins. */
export function ModesView(): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const q = useApi<ModeList>('/v1/modes', { refetchInterval: 5_000 });
  const [editing, setEditing] = useState<IncidentMode | 'new' | null>(null);
  const [proposed, setProposed] = useState<string | null>(null);
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (q.data === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <section aria-labelledby="modes-title">
      <h2 id="modes-title">{t('rules.modesTitle')}</h2>
      <p className="muted">{t('rules.modesHelp', { policy: q.data.policy })}</p>
      {may && editing === null ? (
        <p>
          <button type="button" className="btn btn-primary" onClick={() => { setEditing('new'); setProposed(null); }}>
            {t('rules.modeNew')}
          </button>
        </p>
      ) : null}
      {proposed !== null ? <p role="status" className="notice">{t('rules.modeProposed', { name: proposed })}</p> : null}
      {may && editing !== null ? (
        <ModeEditor
          key={editing === 'new' ? '' : editing.name}
          fixedName={editing === 'new' ? undefined : editing.name}
          start={editing === 'new' ? { description: '', rules: '' } : editorStart(editing)}
          onDone={(name) => {
            setEditing(null);
            setProposed(name);
          }}
        />
      ) : null}
      {q.data.modes.length === 0 ? (
        <p className="notice">{t(may ? 'rules.modesNoneAdmin' : 'rules.modesNone')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data modes-table" data-testid="modes">
            <caption className="sr-only">{t('rules.modesTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rules.modeName')}</th>
                <th scope="col">{t('rules.description')}</th>
                <th scope="col">{t('rules.state')}</th>
                {may ? <th scope="col"><span className="sr-only">{t('rules.actions')}</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {q.data.modes.map((m) => (
                <ModeRow key={m.name} m={m} may={may} onEdit={() => { setEditing(m); setProposed(null); }} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
