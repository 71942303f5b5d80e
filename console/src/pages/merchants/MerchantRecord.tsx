/**
 * A merchant's page (`GET /v1/merchants/{id}`, the analyst's view): registration and the 核实 check,
 * the rating with its drivers, the terminals with their status and rating, the terminals' bound
 * addresses against the merchant's, the actions taken, and the actions the key may take.
 */
import { useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatNumber, formatShare, formatTime } from '../../ui/format';
import { hrefOfRecord } from '../../ui/route';
import { merchantActions, terminalAction } from './actions';
import { MERCHANT_ACTION_NAMES, MerchantActionButton, useDoneText, type Done } from './MerchantActions';
import { PaymentPlacesTable, TerminalPlaces } from './Places';
import type { Grade, MerchantView } from './types';

/** What each figure of a driver's evidence counts (features/merchant-profile.ts); an unknown one shows its key. */
const EVIDENCE_NAMES: Readonly<Record<string, MessageKey>> = {
  payments: 'merchants.evidence.payments',
  share: 'merchants.evidence.share',
  accounts: 'merchants.evidence.accounts',
  otherMerchantCode: 'merchants.evidence.otherMerchantCode',
  otherMcc: 'merchants.evidence.otherMcc',
  otherRegion: 'merchants.evidence.otherRegion',
  farFromBoundAddress: 'merchants.evidence.farFromBoundAddress',
  unlicensedAcquirer: 'merchants.evidence.unlicensedAcquirer',
  unknownAcquirer: 'merchants.evidence.unknownAcquirer',
  labelled: 'merchants.evidence.labelled',
  fraudPayments30d: 'merchants.evidence.fraudPayments30d',
  fraudRate30d: 'merchants.evidence.fraudRate30d',
  complaints30d: 'merchants.evidence.complaints30d',
  counted30d: 'merchants.evidence.counted30d',
};

/** Shares of the merchant's payments (0–1), shown as percentages. */
const SHARE_EVIDENCE: ReadonlySet<string> = new Set(['share', 'fraudRate30d']);

const DRIVER_NAMES: Readonly<Record<string, MessageKey>> = {
  cashout: 'merchants.driver.cashout',
  code_jumping: 'merchants.driver.code_jumping',
  relocation: 'merchants.driver.relocation',
  second_clearing: 'merchants.driver.second_clearing',
  confirmed_fraud: 'merchants.driver.confirmed_fraud',
  night_large: 'merchants.driver.night_large',
  complaints: 'merchants.driver.complaints',
};

const ACTION_STATUS: Readonly<Record<string, MessageKey>> = {
  active: 'merchants.statusActive',
  released: 'merchants.statusReleased',
  expired: 'merchants.statusExpired',
};

/** A driver's name in words (its code when unknown to this console). */
export function useDriverName(): (d: string) => string {
  const { t } = useI18n();
  return (d) => (DRIVER_NAMES[d] === undefined ? d : t(DRIVER_NAMES[d]));
}

/** A small grade badge. */
export function GradeBadge({ grade, label }: { grade: Grade; label?: string }): ReactNode {
  return (
    <span className={`grade grade-sm grade-${grade}`} aria-label={label}>
      {grade}
    </span>
  );
}

function Registration({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const q = v.acquirer;
  return (
    <>
      <dl className="facts" data-testid="merchant-registration">
        <dt>{t('merchants.name')}</dt>
        <dd>{v.name ?? '—'}</dd>
        <dt>{t('merchants.mcc')}</dt>
        <dd><code>{v.mcc ?? '—'}</code></dd>
        <dt>{t('merchants.acquirer')}</dt>
        <dd>
          {q === null ? '—' : <><span className="id">{q.acquirerId}</span>{q.name === null ? null : ` ${q.name}`}{' '}
            <span className={q.licensed === true ? 'chip' : 'chip chip-bad'}>
              {t(!q.registered ? 'merchants.acquirerUnknown' : q.licensed === true ? 'merchants.licensed' : 'merchants.unlicensed')}
            </span>
            {q.licenceList === undefined || q.licenceList === null ? null : (
              <span className="muted" data-testid="licence-list"> · {t('merchants.licenceListAsOf', { date: q.licenceList.asOf })}</span>
            )}</>}
        </dd>
        <dt>{t('merchants.region')}</dt>
        <dd>{v.region ?? '—'}</dd>
        <dt>{t('merchants.address')}</dt>
        <dd>{v.address === null ? '—' : `${v.address.lat.toFixed(4)}, ${v.address.lon.toFixed(4)}`}</dd>
        <dt>{t('merchants.registeredAt')}</dt>
        <dd className="time">{v.registeredAt === null ? t('merchants.unregistered') : formatTime(v.registeredAt)}</dd>
      </dl>
      {v.check.ok ? (
        <p className="done" data-testid="merchant-check">{t('merchants.checkOk')}</p>
      ) : (
        <div className="notice notice-warn" data-testid="merchant-check">
          {t('merchants.checkProblems')}
          <ul>{v.check.problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </div>
      )}
    </>
  );
}

/** Complaints of the last 30 days, and complainants that look malicious (one device or IP against many merchants). */
function Complaints({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const c = v.complaints;
  if (c === undefined || c.total30d === 0) return null;
  return (
    <div data-testid="merchant-complaints">
      <p>{t('merchants.complaints', { total: c.total30d, counted: c.counted30d })}</p>
      {c.maliciousComplainants.length === 0 ? null : (
        <ul className="plain">
          {c.maliciousComplainants.map((m) => (
            <li key={`${m.kind}:${m.token}`}>
              {t('merchants.maliciousComplainant', { kind: t(m.kind === 'device' ? 'merchants.complainantDevice' : 'merchants.complainantIp'), merchants: m.merchants })} <code className="id">{m.token.slice(0, 12)}…</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Rating({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const name = useDriverName();
  const r = v.rating;
  if (r === undefined) return null;
  return (
    <>
      <p className="rating">
        <span className={`grade grade-${r.grade}`} data-testid="merchant-grade">{r.grade}</span>
        <span>
          {t('merchants.ratingScore', { score: formatNumber(r.score), payments: formatNumber(r.volume.payments), days: formatNumber(r.volume.days) })}
          <span className="muted"> · {formatMoney(r.volume.amountFen)}</span>
        </span>
      </p>
      {r.drivers.length === 0 ? (
        <p className="muted">{t('merchants.noDrivers')}</p>
      ) : (
        <table className="data">
          <caption className="sr-only">{t('merchants.drivers')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('merchants.driver')}</th>
              <th scope="col" className="num">{t('merchants.points')}</th>
              <th scope="col">{t('merchants.evidence')}</th>
            </tr>
          </thead>
          <tbody>
            {r.drivers.map((d) => (
              <tr key={d.driver}>
                <th scope="row">{name(d.driver)} <code className="muted">{d.driver}</code></th>
                <td className="num">+{formatNumber(d.points)}</td>
                <td className="codes">
                  {Object.entries(d.evidence).map(([k, x]) => {
                    const label = EVIDENCE_NAMES[k] === undefined ? k : t(EVIDENCE_NAMES[k]);
                    const value =
                      typeof x === 'boolean'
                        ? t(x ? 'merchants.yes' : 'merchants.no')
                        : SHARE_EVIDENCE.has(k)
                          ? formatShare(x, 1)
                          : formatNumber(x, Number.isInteger(x) ? 0 : 2);
                    return <span key={k} className="chip">{`${label}: ${value}`}</span>;
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Terminals({ v, onDone }: { v: MerchantView; onDone: (d: Done) => void }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const terms = v.terminals ?? [];
  if (terms.length === 0) return <p className="muted">{t('merchants.noTerminals')}</p>;
  const acts = terms.some((x) => terminalAction(who, x.status) !== null);
  return (
    <div className="table-wrap">
      <table className="data" data-testid="merchant-terminals">
        <caption className="sr-only">{t('merchants.terminals')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('merchants.terminal')}</th>
            <th scope="col">{t('merchants.status')}</th>
            <th scope="col">{t('merchants.grade')}</th>
            <th scope="col">{t('merchants.address')}</th>
            <th scope="col">{t('merchants.boundAt')}</th>
            {acts ? <th scope="col"><span className="sr-only">{t('merchants.act')}</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {terms.map((x) => {
            const a = terminalAction(who, x.status);
            return (
              <tr key={x.terminalId} data-terminal={x.terminalId}>
                <th scope="row" className="id">{x.terminalId}</th>
                <td className={`status-${x.status}`} data-testid="terminal-status">{t(x.status === 'suspended' ? 'merchants.suspended' : 'merchants.inService')}</td>
                <td className="nowrap"><GradeBadge grade={x.risk.grade} /> <span className="muted">{formatNumber(x.risk.score)}</span></td>
                <td>{x.boundAddress === null ? '—' : `${x.boundAddress.lat.toFixed(4)}, ${x.boundAddress.lon.toFixed(4)}`}</td>
                <td className="time">{formatTime(x.boundAt)}</td>
                {acts ? (
                  <td>{a === null ? null : <MerchantActionButton merchantId={v.merchantId} action={a} terminalId={x.terminalId} onDone={onDone} />}</td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function History({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const list = v.actions ?? [];
  if (list.length === 0) return <p className="muted">{t('merchants.noActions')}</p>;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="merchant-actions">
        <caption className="sr-only">{t('merchants.actionsInForce')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('merchants.action')}</th>
            <th scope="col">{t('merchants.actionStatus')}</th>
            <th scope="col">{t('merchants.reason')}</th>
            <th scope="col">{t('merchants.by')}</th>
            <th scope="col">{t('merchants.since')}</th>
            <th scope="col">{t('merchants.until')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((a) => (
            <tr key={a.id}>
              <th scope="row">
                {t(a.action === 'hold_settlement' ? MERCHANT_ACTION_NAMES.hold_settlement : MERCHANT_ACTION_NAMES.suspend_terminal)}
                {a.terminalId === null ? null : <span className="muted"> · {a.terminalId}</span>}
              </th>
              <td>{t(ACTION_STATUS[a.status] ?? 'merchants.statusActive')}</td>
              <td>{a.reason}</td>
              <td>{a.actor}</td>
              <td className="time">{formatTime(a.createdAt)}</td>
              <td className="time">{a.releasedAt !== null ? formatTime(a.releasedAt) : a.expiresAt === null ? t('merchants.untilReleased') : formatTime(a.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The merchant's page. */
export function MerchantRecord({ id }: { id: string }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const q = useApi<MerchantView>(`/v1/merchants/${encodeURIComponent(id)}`);
  const [done, setDone] = useState<Done | null>(null);
  const doneText = useDoneText();
  const v = q.data;
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (v === undefined) return <p className="muted">{t('common.loading')}</p>;
  const held = v.settlement === 'held';
  const acts = merchantActions(who, held);
  const suspended = (v.terminals ?? []).filter((x) => x.status === 'suspended').length;
  return (
    <>
      <dl className="stats" data-testid="merchant-header">
        <div className="stat">
          <dt>{t('merchants.grade')}</dt>
          <dd className="stat-value">{v.rating?.grade ?? '—'}<span className="stat-note">{v.rating === undefined ? null : `${t('merchants.score')} ${formatNumber(v.rating.score)}`}</span></dd>
        </div>
        <div className="stat">
          <dt>{t('merchants.settlement')}</dt>
          <dd className={`stat-value ${held ? 'status-suspended' : ''}`} data-testid="merchant-settlement">{t(held ? 'merchants.settlementHeld' : 'merchants.settlementNormal')}</dd>
        </div>
        <div className="stat">
          <dt>{t('merchants.terminals')}</dt>
          <dd className="stat-value">{formatNumber((v.terminals ?? []).length)}
            {suspended === 0 ? null : <span className="stat-note">{`${formatNumber(suspended)} ${t('merchants.suspended')}`}</span>}
          </dd>
        </div>
        <div className="stat">
          <dt>{t('merchants.openCases')}</dt>
          <dd className="stat-value">{formatNumber((v.openCases ?? []).length)}</dd>
        </div>
      </dl>
      <div className="grid">
        <section className="panel" aria-labelledby="m-registration">
          <h2 id="m-registration">{t('merchants.registration')}</h2>
          <Registration v={v} />
          {(v.openCases ?? []).length === 0 ? null : (
            <p>
              {t('merchants.openCases')}:{' '}
              {(v.openCases ?? []).map((c) => <a key={c.id} className="chip" href={hrefOfRecord('cases', c.id)}>{c.id}</a>)}
            </p>
          )}
        </section>
        <section className="panel" aria-labelledby="m-places">
          <h2 id="m-places">{t('merchants.places')}</h2>
          <TerminalPlaces v={v} />
        </section>
      </div>
      {v.paymentPlaces === undefined ? null : (
        <section className="panel" aria-labelledby="m-payment-places">
          <h2 id="m-payment-places">{t('merchants.paymentPlaces')}</h2>
          <PaymentPlacesTable v={v} />
        </section>
      )}
      <section className="panel" aria-labelledby="m-rating">
        <h2 id="m-rating">{t('merchants.rating')}</h2>
        <Rating v={v} />
        <Complaints v={v} />
      </section>
      {acts.length === 0 && !(v.terminals ?? []).some((x) => terminalAction(who, x.status) !== null) ? null : (
        <section className="panel actions" aria-labelledby="m-act">
          <h2 id="m-act">{t('merchants.act')}</h2>
          <p className="muted">{t('merchants.actNote')}</p>
          <div className="action-row">
            {acts.map((a) => <MerchantActionButton key={a} merchantId={v.merchantId} action={a} onDone={setDone} />)}
          </div>
          <p className="done" role="status">{done === null ? null : doneText(done)}</p>
        </section>
      )}
      <section className="panel" aria-labelledby="m-terminals">
        <h2 id="m-terminals">{t('merchants.terminals')}</h2>
        <Terminals v={v} onDone={setDone} />
      </section>
      <section className="panel" aria-labelledby="m-history">
        <h2 id="m-history">{t('merchants.actionsInForce')}</h2>
        <History v={v} />
      </section>
    </>
  );
}
