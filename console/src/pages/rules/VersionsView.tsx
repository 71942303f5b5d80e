/**
 * Policy versions: the list (state, author, created), one version's files, its diff against the
 * parent and its proposals, and — for admin keys — propose, approve, reject and roll back.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice, serverWords } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { explainAction, usePolicyAction, useMayChange } from './actions';
import { Backtest } from './Backtest';
import { ShadowPanel } from './ShadowPanel';
import { DiffView } from './DiffView';
import type { LivePolicy, Proposal, VersionPage, VersionShown } from './types';

function Refusal({ error, version }: { error: unknown; version: number }): ReactNode {
  const { t } = useI18n();
  const words = serverWords(error);
  return (
    <div className="notice notice-error" role="alert">
      <p>{explainAction(t, error, version)}</p>
      {words === null ? null : <p className="muted">{t('error.serverSaid', { message: words })}</p>}
    </div>
  );
}

function ProposalLine({ p }: { p: Proposal }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  return (
    <li>
      {t('rules.proposedBy', { key: p.proposedBy, at: formatTime(p.proposedAt) })}{' '}
      {p.proposedBy === who.keyId ? <strong>{t('rules.proposedByYou')}</strong> : null} · {t(`rules.proposalState.${p.state}`)}
      {p.decidedBy === null ? null : ` · ${t('rules.decidedBy', { key: p.decidedBy })}`}
      {p.note === '' ? null : ` · “${p.note}”`}
      {p.reason === null || p.reason === '' ? null : ` · ${t('rules.rejectReason', { reason: p.reason })}`}
    </li>
  );
}

/** The four-eyes steps, named as their routes end. */
type PolicyStep = 'publish' | 'approve' | 'reject';

/** What an admin may do with the version shown. */
function Actions({ v }: { v: VersionShown }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const open = v.proposals.find((p) => p.state === 'open');
  const act = usePolicyAction<PolicyStep>((b) => `/v1/policies/${v.version}/${b}`, (b) => (b === 'approve' ? undefined : {}));
  const last = act.variables === undefined || act.isPending ? undefined : act;
  const own = open !== undefined && open.proposedBy === who.keyId;
  const canPropose = (v.state === 'draft' || v.state === 'rejected') && open === undefined;
  if (!canPropose && open === undefined && last === undefined) return null;
  return (
    <div className="actions" aria-label={t('rules.actions')} role="group">
      {canPropose ? (
        <button type="button" className="btn btn-primary" disabled={act.isPending} onClick={() => act.mutate('publish')}>
          {t('rules.propose')}
        </button>
      ) : null}
      {open !== undefined ? (
        <>
          <p className="four-eyes">
            {own ? t('rules.fourEyesOwnHint', { key: open.proposedBy }) : t('rules.fourEyesHint', { key: open.proposedBy })}
          </p>
          <button type="button" className="btn btn-primary" disabled={act.isPending} onClick={() => act.mutate('approve')}>
            {t('rules.approve')}
          </button>{' '}
          <button type="button" className="btn" disabled={act.isPending} onClick={() => act.mutate('reject')}>
            {own ? t('rules.withdraw') : t('rules.reject')}
          </button>
        </>
      ) : null}
      {last?.isError === true ? <Refusal error={last.error} version={v.version} /> : null}
      {last?.isSuccess === true ? <p role="status" className="notice">{t('rules.actionDone')}</p> : null}
    </div>
  );
}

function Rollback({ live }: { live: LivePolicy | undefined }): ReactNode {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const rollback = usePolicyAction<string>(() => '/v1/policies/rollback', (r) => ({ reason: r }));
  if (live === undefined) return null;
  return (
    <form
      className="filters rollback"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim() !== '') rollback.mutate(reason.trim());
      }}
    >
      <span className="field grow">
        <label htmlFor="rollback-reason">{t('rules.rollbackReason')}</label>
        <input id="rollback-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} required className="wide" />
      </span>
      <button type="submit" className="btn" disabled={rollback.isPending || reason.trim() === ''}>
        {t('rules.rollback')}
      </button>
      {rollback.isError ? <Refusal error={rollback.error} version={live.version} /> : null}
      {rollback.isSuccess ? <p role="status">{t('rules.rolledBack')}</p> : null}
    </form>
  );
}

function VersionDetail({ n, focus }: { n: number; focus: boolean }): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const q = useApi<VersionShown>(`/v1/policies/${n}`);
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = q.data !== undefined;
  // a draft just saved: its heading takes the focus, so the keyboard lands on what was made
  useEffect(() => {
    if (focus && loaded) heading.current?.focus();
  }, [focus, loaded]);
  if (q.isError) return <ErrorNotice error={q.error} />;
  const v = q.data;
  if (v === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <section className="panel version-detail" aria-labelledby="version-title">
      <h2 id="version-title" ref={heading} tabIndex={-1}>{t('rules.versionTitle', { name: v.name, version: v.version })}</h2>
      <dl className="pairs">
        <dt>{t('rules.state')}</dt>
        <dd><span className={`state state-${v.state}`}>{t(`rules.versionState.${v.state}`)}</span></dd>
        <dt>{t('rules.author')}</dt>
        <dd><code>{v.author}</code></dd>
        <dt>{t('rules.created')}</dt>
        <dd>{formatTime(v.createdAt)}</dd>
        <dt>{t('rules.parent')}</dt>
        <dd>{v.parent === null ? '—' : `v${v.parent}`}</dd>
        <dt>{t('rules.description')}</dt>
        <dd>{v.description}</dd>
      </dl>
      {v.proposals.length === 0 ? null : (
        <>
          <h3>{t('rules.proposals')}</h3>
          <ul className="proposals">{v.proposals.map((p) => <ProposalLine key={p.id} p={p} />)}</ul>
        </>
      )}
      {may ? <Actions v={v} /> : null}
      {v.parent === null ? null : <h3>{t('rules.diffTitle', { parent: `v${v.parent}` })}</h3>}
      <DiffView diff={v.diff} />
      <Backtest version={v.version} />
      <ShadowPanel n={v.version} live={v.state === 'live'} />
      <h3>{t('rules.filesTitle', { count: v.files.length })}</h3>
      {v.files.map((f) => (
        <details key={f.file} className="file">
          <summary><code>{f.file}</code></summary>
          <pre className="file-text">{f.text}</pre>
        </details>
      ))}
    </section>
  );
}

/** The versions list beside the version chosen. */
export function VersionsView({
  selected,
  onSelect,
  focusSelected = false,
}: {
  selected: number | null;
  onSelect: (n: number) => void;
  /** Move the focus to the selected version once shown (after saving a draft). */
  focusSelected?: boolean;
}): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const list = useApi<VersionPage>('/v1/policies?limit=50', { refetchInterval: 5_000 });
  const live = useApi<LivePolicy>('/v1/policies/live', { refetchInterval: 5_000 });
  const versions = list.data?.versions;
  const shown = selected ?? live.data?.version ?? null;
  return (
    <div className="versions">
      <section aria-labelledby="versions-title" className="versions-list">
        <h2 id="versions-title">{t('rules.versionsTitle')}</h2>
        {list.isError ? <ErrorNotice error={list.error} /> : null}
        {versions === undefined ? (
          <p className="muted">{t('common.loading')}</p>
        ) : (
          <div className="table-wrap">
          <table className="data" data-testid="versions">
            <caption className="sr-only">{t('rules.versionsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rules.version')}</th>
                <th scope="col">{t('rules.state')}</th>
                <th scope="col">{t('rules.author')}</th>
                <th scope="col">{t('rules.created')}</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version} className={v.version === shown ? 'selected' : undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link"
                      aria-pressed={v.version === shown}
                      aria-label={t('rules.showVersion', { name: v.name, version: v.version })}
                      onClick={() => onSelect(v.version)}
                    >
                      {v.name}
                    </button>
                    <div className="muted small clip" title={v.description}>{v.description}</div>
                  </th>
                  <td><span className={`state state-${v.state}`}>{t(`rules.versionState.${v.state}`)}</span></td>
                  <td><code>{v.author}</code></td>
                  <td className="time">{formatTime(v.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
        {may ? (
          <>
            <h3>{t('rules.rollbackTitle')}</h3>
            <p className="muted small">{t('rules.rollbackHelp')}</p>
            <Rollback live={live.data} />
          </>
        ) : null}
      </section>
      <div className="versions-detail">{shown === null ? null : <VersionDetail key={shown} n={shown} focus={focusSelected && shown === selected} />}</div>
    </div>
  );
}
