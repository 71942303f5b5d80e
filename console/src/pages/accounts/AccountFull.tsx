/**
 * The analyst's view of an account (`GET /v1/accounts/{id}`): status and credit, the credit rating
 * A–E with its drivers, the restrictions in force, recent payments with their outcomes, devices,
 * the actions taken and the appeals filed. Admins see the actions they may take.
 */
import type { ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import type { AccountView, Hold } from '../../api/types';
import type { MessageKey } from '../../i18n/en';
import { useI18n, type Translate } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { OUTCOME_NAMES } from '../../ui/names';
import { allows } from '../../ui/nav';
import { hrefOfRecord } from '../../ui/route';
import { AccountActions, ACTION_NAMES } from './AccountActions';

/** The account's status in words. */
export const ACCOUNT_STATUS: Readonly<Record<string, MessageKey>> = {
  active: 'account.statusActive',
  frozen: 'account.statusFrozen',
  restricted: 'account.statusRestricted',
};

/** Who took an action: a rule (`rule:<NAME>`, taken by the policy itself) is named as one. */
function authorOf(author: string, t: Translate): ReactNode {
  if (!author.startsWith('rule:')) return author;
  return (
    <span className="rule-author" title={t('account.byRuleHint')}>
      {t('account.byRule', { rule: author.slice(5) })}
    </span>
  );
}

function HoldRow({ name, hold, extra }: { name: string; hold: Hold; extra?: string }): ReactNode {
  const { t } = useI18n();
  return (
    <tr>
      <th scope="row">{name}{extra === undefined ? null : <span className="muted"> · {extra}</span>}</th>
      <td>{hold.reason}</td>
      <td>{authorOf(hold.author, t)}</td>
      <td className="time">{formatTime(hold.since)}</td>
      <td className="time">{hold.expiresAt === null ? t('account.untilLifted') : formatTime(hold.expiresAt)}</td>
    </tr>
  );
}

function Restrictions({ v }: { v: AccountView }): ReactNode {
  const { t } = useI18n();
  const r = v.restrictions;
  if (r.frozen === null && r.stepUp === null && r.limit === null) return <p className="muted">{t('account.noRestrictions')}</p>;
  return (
    <table className="data" data-testid="restrictions">
      <caption className="sr-only">{t('account.restrictions')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('account.restriction')}</th>
          <th scope="col">{t('account.reason')}</th>
          <th scope="col">{t('account.by')}</th>
          <th scope="col">{t('account.since')}</th>
          <th scope="col">{t('account.until')}</th>
        </tr>
      </thead>
      <tbody>
        {r.frozen === null ? null : <HoldRow name={t('account.restrictionFrozen')} hold={r.frozen} />}
        {r.limit === null ? null : <HoldRow name={t('account.restrictionLimit')} hold={r.limit} extra={formatMoney(r.limit.limit)} />}
        {r.stepUp === null ? null : <HoldRow name={t('account.restrictionStepUp')} hold={r.stepUp} />}
      </tbody>
    </table>
  );
}

function Rating({ v }: { v: AccountView }): ReactNode {
  const { t } = useI18n();
  const r = v.rating;
  if (r === null) return <p className="muted">{t('account.noRating')}</p>;
  return (
    <>
      <p className="rating">
        <span className={`grade grade-${r.grade}`} data-testid="rating-grade">{r.grade}</span>
        <span>{t('account.ratingScore', { score: formatNumber(r.score), base: formatNumber(r.base) })}</span>
      </p>
      <table className="data">
        <caption className="sr-only">{t('account.drivers')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('account.driver')}</th>
            <th scope="col" className="num">{t('account.points')}</th>
            <th scope="col">{t('account.driverNote')}</th>
          </tr>
        </thead>
        <tbody>
          {r.drivers.map((d) => (
            <tr key={d.driver}>
              <th scope="row"><code>{d.driver}</code></th>
              <td className="num">{d.points > 0 ? `+${formatNumber(d.points)}` : formatNumber(d.points)}</td>
              <td>{d.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Payments({ v }: { v: AccountView }): ReactNode {
  const { t } = useI18n();
  if (v.recentPayments.length === 0) return <p className="muted">{t('evidence.noPayments')}</p>;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="account-payments">
        <caption className="sr-only">{t('account.recentPayments')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('evidence.time')}</th>
            <th scope="col">{t('evidence.payment')}</th>
            <th scope="col" className="num">{t('evidence.amount')}</th>
            <th scope="col">{t('evidence.outcome')}</th>
            <th scope="col" className="num">{t('evidence.score')}</th>
            <th scope="col">{t('evidence.reasons')}</th>
            <th scope="col">{t('evidence.merchantTerminal')}</th>
          </tr>
        </thead>
        <tbody>
          {v.recentPayments.map((p) => (
            <tr key={p.txId}>
              <td className="time">{formatTime(p.ts)}</td>
              <th scope="row" className="id">{p.txId}</th>
              <td className="num">{formatMoney(p.amount)}</td>
              <td>{p.outcome === null ? '—' : <span className={`outcome outcome-${p.outcome}`}>{t(OUTCOME_NAMES[p.outcome])}</span>}</td>
              <td className="num">{p.score === null ? '—' : formatNumber(p.score, 1)}</td>
              <td className="codes">{p.reasons.length === 0 ? <span className="muted">—</span> : p.reasons.map((r) => <code key={r.code}>{r.code}</code>)}</td>
              <td>
                <a href={hrefOfRecord('merchants', p.merchantId)}>{p.merchantId}</a>
                <span className="muted"> / {p.terminalId}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ v }: { v: AccountView }): ReactNode {
  const { t } = useI18n();
  if (v.actions.length === 0) return <p className="muted">{t('account.noActions')}</p>;
  return (
    <table className="data" data-testid="account-history">
      <caption className="sr-only">{t('account.history')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('evidence.time')}</th>
          <th scope="col">{t('account.action')}</th>
          <th scope="col">{t('account.reason')}</th>
          <th scope="col">{t('account.by')}</th>
        </tr>
      </thead>
      <tbody>
        {v.actions.map((a) => (
          <tr key={a.id}>
            <td className="time">{formatTime(a.at)}</td>
            <th scope="row">
              {t(ACTION_NAMES[a.action])}
              {a.limit === null ? null : <span className="muted"> · {formatMoney(a.limit)}</span>}
              {a.expiresAt === null ? null : <span className="muted"> · {t('account.untilTime', { time: formatTime(a.expiresAt) })}</span>}
            </th>
            <td>{a.reason}</td>
            <td>{authorOf(a.author, t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Appeals({ v }: { v: AccountView }): ReactNode {
  const { t } = useI18n();
  if (v.appeals.length === 0) return <p className="muted">{t('account.noAppeals')}</p>;
  return (
    <ul className="plain">
      {v.appeals.map((a) => (
        <li key={a.id}>
          <p className="note-text">{a.text}</p>
          <p className="muted">
            {t('case.noteBy', { by: a.author, time: formatTime(a.at) })}
            {a.txId === null ? null : ` · ${a.txId}`}
            {a.caseId === null ? null : (
              <>
                {' · '}
                <a href={hrefOfRecord('cases', a.caseId)}>{a.caseId}</a>
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** The full account view. */
export function AccountFull({ id }: { id: string }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const q = useApi<AccountView>(`/v1/accounts/${encodeURIComponent(id)}`);
  const v = q.data;
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (v === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <>
      <dl className="stats" data-testid="account-header">
        <div className="stat">
          <dt>{t('account.status')}</dt>
          <dd className={`stat-value status-${v.status}`} data-testid="account-status">{t(ACCOUNT_STATUS[v.status] ?? 'account.statusActive')}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.rating')}</dt>
          <dd className="stat-value">{v.rating?.grade ?? '—'}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.effectiveLimit')}</dt>
          <dd className="stat-value">{v.credit.effectiveLimit === null ? '—' : formatMoney(v.credit.effectiveLimit)}
            {v.credit.creditLimit === null || v.credit.creditLimit === v.credit.effectiveLimit ? null : (
              <span className="stat-note">{t('account.registeredLimit', { limit: formatMoney(v.credit.creditLimit) })}</span>
            )}
          </dd>
        </div>
        <div className="stat">
          <dt>{t('account.outstanding')}</dt>
          <dd className="stat-value">{formatMoney(v.credit.outstanding)}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.available')}</dt>
          <dd className="stat-value">{v.credit.availableCredit === null ? '—' : formatMoney(v.credit.availableCredit)}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.opened')}</dt>
          <dd className="stat-value small">{v.registration.openedAt === null ? '—' : formatTime(v.registration.openedAt)}
            <span className="stat-note">{t('account.kyc', { kyc: v.registration.kyc ?? '—' })}</span>
          </dd>
        </div>
      </dl>
      {v.registered ? null : <p className="notice notice-warn">{t('account.unregistered')}</p>}
      {v.fraudLabelled ? <p className="notice notice-error">{t('account.fraudLabelled')}</p> : null}
      <section className="panel" aria-labelledby="acc-restrictions">
        <h2 id="acc-restrictions">{t('account.restrictions')}</h2>
        <Restrictions v={v} />
      </section>
      {allows(who, 'act') ? <AccountActions view={v} /> : null}
      <section className="panel" aria-labelledby="acc-payments">
        <h2 id="acc-payments">{t('account.recentPayments')}</h2>
        <Payments v={v} />
      </section>
      <div className="grid">
        <section className="panel" aria-labelledby="acc-rating">
          <h2 id="acc-rating">{t('account.ratingTitle')}</h2>
          <Rating v={v} />
        </section>
        <section className="panel" aria-labelledby="acc-history">
          <h2 id="acc-history">{t('account.history')}</h2>
          <History v={v} />
          <h2 className="spaced">{t('account.devices')}</h2>
          <ul className="plain">
            {v.devices.length === 0 ? <li className="muted">{t('evidence.noDevices')}</li> : null}
            {v.devices.map((d) => (
              <li key={d.deviceId}>
                <span className="id">{d.deviceId}</span> <span className="muted">{t('account.deviceSince', { time: formatTime(d.firstSeen) })}</span>
                {d.last ? <span className="chip">{t('account.lastDevice')}</span> : null}
              </li>
            ))}
          </ul>
          <h2 className="spaced">{t('account.appeals')}</h2>
          <Appeals v={v} />
        </section>
      </div>
    </>
  );
}
