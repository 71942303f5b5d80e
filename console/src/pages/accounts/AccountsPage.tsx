/**
 * Accounts: search by id, then the account the address names (`#/accounts/<id>`). Keys that read risk
 * data (analysts, admins) get the full view, and admins its actions; customer service gets the
 * customer view and files appeals, nothing more.
 */
import { useId, useState, type ReactNode } from 'react';
import { useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { allows } from '../../ui/nav';
import { PageTitle } from '../../ui/PageTitle';
import { hrefOfRecord, useHashRecord } from '../../ui/route';
import { AccountFull } from './AccountFull';
import { CustomerPanel } from './CustomerPanel';

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
        if (v !== '') window.location.hash = hrefOfRecord('accounts', v);
      }}
    >
      <label htmlFor={fieldId}>{t('accounts.searchLabel')}</label>
      <input id={fieldId} value={id} onChange={(e) => setId(e.target.value)} autoComplete="off" spellCheck={false} placeholder="acc-7781" />
      <button type="submit" className="btn">{t('accounts.open')}</button>
    </form>
  );
}

/** For analysts and admins: what the customer is told, read only when opened. */
function CustomerSide({ id }: { id: string }): ReactNode {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <details className="panel" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('accounts.customerSide')}</summary>
      {open ? <CustomerPanel id={id} /> : null}
    </details>
  );
}

/** The accounts page. */
export function AccountsPage(): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const id = useHashRecord();
  const full = allows(who, 'read');
  const route = full ? 'GET /v1/accounts/{accountId}' : 'GET /v1/accounts/{accountId}/customer-view';
  return (
    <section>
      <PageTitle title={id === null ? t('nav.accounts') : t('account.title', { id })} sub={full ? t('accounts.introFull') : t('accounts.introSupport')} />
      <Search key={id ?? ''} current={id} />
      {id === null ? null : full ? <AccountFull id={id} /> : <CustomerPanel id={id} />}
      {id !== null && full && allows(who, 'support') ? <CustomerSide key={id} id={id} /> : null}
      <p className="muted source">
        {t('accounts.source')} <code>{route}</code>
      </p>
    </section>
  );
}
