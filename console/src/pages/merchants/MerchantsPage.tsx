/**
 * Merchants: the riskiest merchants and terminals of the last 7 days (`GET /v1/merchants`, with their
 * rating), a merchant's page at `#/merchants/<id>` (registration, rating, terminals, places, actions),
 * and the 核实商户 check of a merchant and terminal.
 */
import { useId, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatNumber } from '../../ui/format';
import { PageTitle } from '../../ui/PageTitle';
import { hrefOfRecord, useHashRecord } from '../../ui/route';
import { GradeBadge, MerchantRecord, useDriverName } from './MerchantRecord';
import type { MerchantView, RiskRow } from './types';
import { ApiError } from '../../api/client';

function Search({ current }: { current: string | null }): ReactNode {
  const { t } = useI18n();
  const [id, setId] = useState(current ?? '');
  const fieldId = useId();
  return (
    <form
      className="filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const v = id.trim();
        if (v !== '') window.location.hash = hrefOfRecord('merchants', v);
      }}
    >
      <label htmlFor={fieldId}>{t('merchants.searchLabel')}</label>
      <input id={fieldId} value={id} onChange={(e) => setId(e.target.value)} autoComplete="off" spellCheck={false} placeholder="898440358120001" />
      <button type="submit" className="btn">{t('merchants.open')}</button>
    </form>
  );
}

function RiskTable({ kind }: { kind: 'merchant' | 'terminal' }): ReactNode {
  const { t } = useI18n();
  const name = useDriverName();
  const q = useApi<{ merchants?: RiskRow[]; terminals?: RiskRow[] }>(`/v1/merchants?kind=${kind}&limit=20`, { refetchInterval: 30_000 });
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (q.data === undefined) return <p className="muted">{t('common.loading')}</p>;
  const rows = (kind === 'merchant' ? q.data.merchants : q.data.terminals) ?? [];
  if (rows.length === 0) return <p className="muted">{t(kind === 'merchant' ? 'merchants.none' : 'merchants.noTerminals')}</p>;
  return (
    <div className="table-wrap">
      <table className="data" data-testid={kind === 'merchant' ? 'merchant-list' : 'terminal-list'}>
        <caption className="sr-only">{t(kind === 'merchant' ? 'merchants.riskiest' : 'merchants.riskiestTerminals')}</caption>
        <thead>
          <tr>
            <th scope="col">{t(kind === 'merchant' ? 'merchants.merchant' : 'merchants.terminal')}</th>
            <th scope="col">{t('merchants.grade')}</th>
            <th scope="col" className="num">{t('merchants.payments')}</th>
            <th scope="col">{t('merchants.drivers')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const id = (kind === 'merchant' ? r.merchantId : r.terminalId) ?? '';
            return (
              <tr key={id}>
                <th scope="row" className="id">
                  {kind === 'merchant' ? <a href={hrefOfRecord('merchants', id)}>{id}</a> : id}
                  {r.registered ? null : <span className="chip chip-bad">{t('merchants.unregistered')}</span>}
                </th>
                <td className="nowrap"><GradeBadge grade={r.grade} /> <span className="muted">{formatNumber(r.score)}</span></td>
                <td className="num">{formatNumber(r.payments)}</td>
                <td>{r.drivers.length === 0 ? <span className="muted">—</span> : r.drivers.map((d) => <span key={d} className="chip">{name(d)}</span>)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CheckResult({ merchantId, terminalId }: { merchantId: string; terminalId: string }): ReactNode {
  const { t } = useI18n();
  const q = useApi<MerchantView>(`/v1/merchants/${encodeURIComponent(merchantId)}${terminalId === '' ? '' : `?terminalId=${encodeURIComponent(terminalId)}`}`);
  if (q.isError) return q.error instanceof ApiError && q.error.status === 404 ? <p className="notice notice-warn" role="status">{t('merchants.checkNotFound')}</p> : <ErrorNotice error={q.error} />;
  if (q.data === undefined) return <p className="muted">{t('common.loading')}</p>;
  const c = q.data.check;
  return c.ok ? (
    <p className="done" role="status" data-testid="check-result">{t('merchants.checkOk')}</p>
  ) : (
    <div className="notice notice-warn" role="status" data-testid="check-result">
      {t('merchants.checkProblems')}
      <ul>{c.problems.map((p) => <li key={p}>{p}</li>)}</ul>
    </div>
  );
}

function Check(): ReactNode {
  const { t } = useI18n();
  const [m, setM] = useState('');
  const [term, setTerm] = useState('');
  const [asked, setAsked] = useState<{ m: string; term: string } | null>(null);
  const mId = useId();
  const tId = useId();
  return (
    <section className="panel" aria-labelledby="m-check">
      <h2 id="m-check">{t('merchants.check')}</h2>
      <p className="muted">{t('merchants.checkIntro')}</p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (m.trim() !== '') setAsked({ m: m.trim(), term: term.trim() });
        }}
      >
        <label htmlFor={mId}>{t('merchants.searchLabel')}</label>
        <input id={mId} value={m} onChange={(e) => setM(e.target.value)} autoComplete="off" spellCheck={false} />
        <label htmlFor={tId}>{t('merchants.checkTerminal')}</label>
        <input id={tId} value={term} onChange={(e) => setTerm(e.target.value)} autoComplete="off" spellCheck={false} />
        <button type="submit" className="btn">{t('merchants.checkRun')}</button>
      </form>
      {asked === null ? null : <CheckResult key={`${asked.m}/${asked.term}`} merchantId={asked.m} terminalId={asked.term} />}
    </section>
  );
}

/** The merchants page. */
export function MerchantsPage(): ReactNode {
  const { t } = useI18n();
  const id = useHashRecord();
  return (
    <section>
      <PageTitle title={id === null ? t('nav.merchants') : t('merchants.title', { id })} sub={t(id === null ? 'merchants.intro' : 'merchants.recordIntro')} />
      <Search key={id ?? ''} current={id} />
      {id === null ? (
        <>
          <div className="grid">
            <section className="panel" aria-labelledby="m-riskiest">
              <h2 id="m-riskiest">{t('merchants.riskiest')}</h2>
              <RiskTable kind="merchant" />
            </section>
            <section className="panel" aria-labelledby="m-riskiest-t">
              <h2 id="m-riskiest-t">{t('merchants.riskiestTerminals')}</h2>
              <RiskTable kind="terminal" />
            </section>
          </div>
          <Check />
        </>
      ) : (
        <MerchantRecord id={id} />
      )}
      <p className="muted source">
        {t('merchants.source')} <code>{id === null ? 'GET /v1/merchants' : 'GET /v1/merchants/{merchantId}'}</code>
      </p>
    </section>
  );
}
