/**
 * Shadowing a version (`/v1/policies/{n}/shadow`): it decides every payment again beside the live
 * policy, off the answer path. Its status and live-vs-shadow comparison as the API answers them —
 * agreement, outcome changes (live × shadow), newly declined and approved — and the most recent
 * payments the two decided differently (`…/shadow/decisions?changed=true`: transaction, outcomes,
 * scores and reasons side by side), polled while it runs; admins start and stop it.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, apiSend } from '../../api/client';
import { useApi, useSession } from '../../api/session-context';
import type { Outcome } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { explainAction, useMayChange } from './actions';
import { RuleActionCounts, type RuleActionCount } from './RuleActionCounts';

const OUTCOMES: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];
const POLL_MS = 2000;

type Counts = Readonly<Record<Outcome, number>>;

/** `GET /v1/policies/{n}/shadow` (the fields shown). */
export interface ShadowStatus {
  readonly version: number;
  readonly run: number;
  readonly state: 'warming' | 'running' | 'stopped';
  readonly policy: string;
  readonly startedAt: number;
  readonly startedBy: string;
  readonly since: number | null;
  readonly stoppedAt: number | null;
  readonly transactions: number;
  readonly changed: number;
  readonly agreementRate: number | null;
  readonly outcomes: { readonly live: Counts; readonly shadow: Counts };
  readonly transitions: Readonly<Record<Outcome, Counts>>;
  readonly alertRate: { readonly live: number | null; readonly shadow: number | null };
  readonly declineRate: { readonly live: number | null; readonly shadow: number | null };
  readonly newlyDeclined: { readonly count: number; readonly amount: number; readonly fraudAmount: number };
  readonly newlyApproved: { readonly count: number; readonly amount: number; readonly fraudAmount: number };
  /** The actions the shadow's rules would have taken (servers before 2026-12 leave it out). */
  readonly actions?: readonly RuleActionCount[];
}

/** How many of the latest disagreements the panel lists. */
export const DISAGREEMENTS_SHOWN = 50;

/** One recorded comparison of `GET /v1/policies/{n}/shadow/decisions`. */
export interface ShadowRecord {
  readonly seq: number;
  readonly txId: string;
  readonly t: number;
  readonly amount: number;
  readonly live: { readonly policy: string; readonly outcome: Outcome; readonly score: number; readonly reasons: readonly string[] };
  readonly shadow: { readonly outcome: Outcome; readonly score: number; readonly reasons: readonly string[] };
  readonly changed: boolean;
  readonly label: boolean | null;
}

/** The payments live and the shadow decided differently, newest first. */
function Disagreements({ n, running }: { n: number; running: boolean }): ReactNode {
  const { t } = useI18n();
  const q = useApi<{ decisions: readonly ShadowRecord[] }>(`/v1/policies/${n}/shadow/decisions?changed=true&limit=${DISAGREEMENTS_SHOWN}`, running ? { refetchInterval: POLL_MS } : {});
  if (q.isError) return <ErrorNotice error={q.error} />;
  const rows = q.data?.decisions;
  if (rows === undefined) return <p className="muted">{t('common.loading')}</p>;
  const reasons = (r: readonly string[]): string => (r.length === 0 ? '—' : r.join(', '));
  return (
    <div className="table-wrap">
      <table className="data disagreements" data-testid="shadow-disagreements">
        <caption>{t('rules.shadow.disagreements', { n: DISAGREEMENTS_SHOWN })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rules.shadow.tx')}</th>
            <th scope="col">{t('rules.shadow.time')}</th>
            <th scope="col" className="num">{t('rules.shadow.amount')}</th>
            <th scope="col">{t('rules.shadow.liveSide')}</th>
            <th scope="col">{t('rules.shadow.shadowSide')}</th>
            <th scope="col">{t('rules.shadow.label')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr><td colSpan={6} className="muted">{t('rules.shadow.noDisagreements')}</td></tr>
          ) : (
            rows.map((r) => (
              <tr key={r.seq}>
                <th scope="row"><code>{r.txId}</code></th>
                <td>{formatTime(r.t)}</td>
                <td className="num">{formatMoney(r.amount)}</td>
                <td>
                  <span className={`outcome-${r.live.outcome}`}>{t(`outcome.${r.live.outcome}`)}</span>{' '}
                  {t('rules.shadow.score', { score: r.live.score })}
                  <div className="muted small">{reasons(r.live.reasons)}</div>
                </td>
                <td>
                  <span className={`outcome-${r.shadow.outcome}`}>{t(`outcome.${r.shadow.outcome}`)}</span>{' '}
                  {t('rules.shadow.score', { score: r.shadow.score })}
                  <div className="muted small">{reasons(r.shadow.reasons)}</div>
                </td>
                <td>{r.label === null ? '—' : r.label ? t('rules.shadow.fraud') : t('rules.shadow.legit')}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function pct(r: number | null): string {
  return r === null ? '—' : `${(100 * r).toFixed(1)}%`;
}

function Comparison({ s }: { s: ShadowStatus }): ReactNode {
  const { t } = useI18n();
  return (
    <>
      <dl className="pairs" data-testid="shadow-figures">
        <dt>{t('rules.shadow.compared')}</dt>
        <dd>{formatNumber(s.transactions)}</dd>
        <dt>{t('rules.shadow.agreement')}</dt>
        <dd data-testid="shadow-agreement">{pct(s.agreementRate)}</dd>
        <dt>{t('rules.shadow.changed')}</dt>
        <dd>{formatNumber(s.changed)}</dd>
        <dt>{t('rules.shadow.alertRate')}</dt>
        <dd>{t('rules.shadow.liveVsShadow', { live: pct(s.alertRate.live), shadow: pct(s.alertRate.shadow) })}</dd>
        <dt>{t('rules.shadow.declineRate')}</dt>
        <dd>{t('rules.shadow.liveVsShadow', { live: pct(s.declineRate.live), shadow: pct(s.declineRate.shadow) })}</dd>
        <dt>{t('rules.shadow.newlyDeclined')}</dt>
        <dd>{t('rules.shadow.countValue', { n: formatNumber(s.newlyDeclined.count), value: formatMoney(s.newlyDeclined.amount) })}</dd>
        <dt>{t('rules.shadow.newlyApproved')}</dt>
        <dd>{t('rules.shadow.countValue', { n: formatNumber(s.newlyApproved.count), value: formatMoney(s.newlyApproved.amount) })}</dd>
      </dl>
      <div className="table-wrap">
        <table className="data" data-testid="shadow-transitions">
          <caption>{t('rules.shadow.transitions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rules.shadow.liveShadowCorner')}</th>
              {OUTCOMES.map((o) => (
                <th key={o} scope="col" className="num">{t(`outcome.${o}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {OUTCOMES.map((l) => (
              <tr key={l}>
                <th scope="row">{t(`outcome.${l}`)}</th>
                {OUTCOMES.map((o) => (
                  <td key={o} className={o === l ? 'num muted' : 'num'}>{formatNumber(s.transitions[l]?.[o] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <RuleActionCounts counts={s.actions} of="shadow" />
    </>
  );
}

/** The shadow of version `n` (`live`: the version is live, which cannot be shadowed). */
export function ShadowPanel({ n, live }: { n: number; live: boolean }): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const { key } = useSession();
  const qc = useQueryClient();
  const path = `/v1/policies/${n}/shadow`;
  const q = useApi<ShadowStatus>(path, { refetchInterval: POLL_MS });
  const act = useMutation<unknown, ApiError, 'POST' | 'DELETE'>({
    mutationFn: (m) => apiSend(m, path, key, undefined),
    onSettled: () => qc.invalidateQueries({ predicate: (x) => String(x.queryKey[0]).startsWith(path) }),
  });
  const never = q.isError && q.error.status === 404;
  const s = q.data;
  const on = s !== undefined && s.state !== 'stopped';
  return (
    <section className="shadow" aria-labelledby={`shadow-title-${n}`} data-testid="shadow">
      <h3 id={`shadow-title-${n}`}>{t('rules.shadow.title')}</h3>
      <p className="muted">{t('rules.shadow.help')}</p>
      {q.isError && !never ? <ErrorNotice error={q.error} /> : null}
      {never ? <p role="status">{t('rules.shadow.never')}</p> : null}
      {s === undefined ? (
        q.isPending ? <p className="muted">{t('common.loading')}</p> : null
      ) : (
        <>
          <p role="status" data-testid="shadow-state">
            {t(`rules.shadow.state.${s.state}`, { policy: s.policy, run: s.run })}
            {' · '}
            {t('rules.shadow.started', { at: formatTime(s.startedAt), by: s.startedBy })}
            {s.stoppedAt === null ? null : ` · ${t('rules.shadow.stoppedAt', { at: formatTime(s.stoppedAt) })}`}
          </p>
          <Comparison s={s} />
          <Disagreements n={n} running={s.state !== 'stopped'} />
        </>
      )}
      {may && (never || s !== undefined) ? (
        <div className="actions">
          {on ? (
            <button type="button" className="btn" disabled={act.isPending} onClick={() => act.mutate('DELETE')}>{t('rules.shadow.stop')}</button>
          ) : live ? (
            <p className="muted">{t('rules.shadow.liveCannot')}</p>
          ) : (
            <button type="button" className="btn" disabled={act.isPending} onClick={() => act.mutate('POST')}>{t('rules.shadow.start')}</button>
          )}
        </div>
      ) : null}
      {act.isError ? <p className="field-error" role="alert">{explainAction(t, act.error, n)}</p> : null}
    </section>
  );
}
