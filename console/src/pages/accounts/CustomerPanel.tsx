/**
 * What the customer is told (`GET /v1/accounts/{id}/customer-view`), for customer service: status and
 * restrictions in the customer's words (in the console's language), limit and available credit, the
 * notices sent to the customer, the transaction record; and filing an appeal for the customer, which
 * opens a case.
 */
import { useState, type ReactNode } from 'react';
import { useAction, useApi, useSession } from '../../api/session-context';
import type { Bilingual, CustomerView } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatTime } from '../../ui/format';
import { allows } from '../../ui/nav';

function AppealForm({ v }: { v: CustomerView }): ReactNode {
  const { t } = useI18n();
  const post = useAction<{ text: string; txId?: string }>(`/v1/accounts/${encodeURIComponent(v.accountId)}/appeals`, ['/v1/accounts/', '/v1/cases']);
  const [text, setText] = useState('');
  const [txId, setTxId] = useState('');
  return (
    <ActionForm
      label={t('appeal.file')}
      done={t('appeal.filed')}
      check={() => (text.trim() === '' ? t('appeal.textMissing') : null)}
      onConfirm={() => post.mutateAsync({ text: text.trim(), ...(txId === '' ? {} : { txId }) })}
      onDone={() => {
        setText('');
        setTxId('');
      }}
    >
      <Field label={t('appeal.text')}>{(id) => <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}</Field>
      <Field label={t('appeal.payment')}>
        {(id) => (
          <select id={id} value={txId} onChange={(e) => setTxId(e.target.value)}>
            <option value="">{t('appeal.noPayment')}</option>
            {v.transactions.map((x) => (
              <option key={x.txId} value={x.txId}>{`${formatTime(x.time)} · ${formatMoney(x.amount)} · ${x.txId}`}</option>
            ))}
          </select>
        )}
      </Field>
    </ActionForm>
  );
}

/** The customer's view, with the appeal form for keys that may file one. */
export function CustomerPanel({ id }: { id: string }): ReactNode {
  const { t, lang } = useI18n();
  const { who } = useSession();
  const q = useApi<CustomerView>(`/v1/accounts/${encodeURIComponent(id)}/customer-view?limit=20`);
  const v = q.data;
  const words = (b: Bilingual): string => (lang === 'zh-CN' ? b.zh : b.en);
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (v === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <>
      <dl className="stats" data-testid="customer-header">
        <div className="stat wide">
          <dt>{t('account.status')}</dt>
          <dd className={`stat-value status-${v.status}`} data-testid="customer-status">{words(v.statusText)}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.effectiveLimit')}</dt>
          <dd className="stat-value">{v.creditLimit === null ? '—' : formatMoney(v.creditLimit)}</dd>
        </div>
        <div className="stat">
          <dt>{t('account.available')}</dt>
          <dd className="stat-value">{v.availableCredit === null ? '—' : formatMoney(v.availableCredit)}</dd>
        </div>
      </dl>
      <section className="panel" aria-labelledby="cv-restrictions">
        <h2 id="cv-restrictions">{t('customer.restrictions')}</h2>
        {v.restrictions.length === 0 ? (
          <p className="muted">{t('account.noRestrictions')}</p>
        ) : (
          <ul className="plain">
            {v.restrictions.map((r) => (
              <li key={r.kind}>
                <p className="note-text">{words(r.message)}</p>
                <p>{words(r.whatYouCanDo)}</p>
                {r.until === null ? null : <p className="muted">{t('account.untilTime', { time: formatTime(r.until) })}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="cv-notices">
        <h2 id="cv-notices">{t('customer.notices')}</h2>
        {(v.notices ?? []).length === 0 ? (
          <p className="muted">{t('customer.noNotices')}</p>
        ) : (
          <ul className="plain" data-testid="customer-notices">
            {(v.notices ?? []).map((n, i) => (
              <li key={`${n.at}-${i}`}>
                <p className="note-text">{lang === 'zh-CN' ? n.text['zh-CN'] : n.text.en}</p>
                <p className="muted">{formatTime(n.at)}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
      {allows(who, 'appeal') ? (
        <section className="panel actions" aria-labelledby="cv-appeal">
          <h2 id="cv-appeal">{t('appeal.title')}</h2>
          <div className="action-row">
            <AppealForm v={v} />
          </div>
        </section>
      ) : null}
      <section className="panel" aria-labelledby="cv-tx">
        <h2 id="cv-tx">{t('customer.transactions')}</h2>
        {v.transactions.length === 0 ? (
          <p className="muted">{t('evidence.noPayments')}</p>
        ) : (
          <table className="data" data-testid="customer-transactions">
            <caption className="sr-only">{t('customer.transactions')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('evidence.time')}</th>
                <th scope="col">{t('customer.merchant')}</th>
                <th scope="col" className="num">{t('evidence.amount')}</th>
                <th scope="col">{t('customer.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {v.transactions.map((x) => (
                <tr key={x.txId}>
                  <td className="time">{formatTime(x.time)}</td>
                  <th scope="row">{x.merchant ?? x.merchantId}</th>
                  <td className="num">{formatMoney(x.amount)}</td>
                  <td>{words(x.outcomeText)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
