/**
 * The account actions an admin may take (POST /v1/accounts/{id}/actions): one button per action that
 * makes sense for the restrictions in force, each opening a form with its reason (and the new limit
 * or an expiry where the action takes them). Effective from the next decision; the view is read again.
 */
import { useState, type ReactNode } from 'react';
import { useAction } from '../../api/session-context';
import type { AccountAction, AccountView } from '../../api/types';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';
import { formatMoney } from '../../ui/format';
import { actionBody, actionFields, availableActions } from './actions';

/** Each action's button and heading. */
export const ACTION_NAMES: Readonly<Record<AccountAction, MessageKey>> = {
  freeze: 'account.freeze',
  unfreeze: 'account.unfreeze',
  lower_limit: 'account.lowerLimit',
  restore_limit: 'account.restoreLimit',
  require_step_up: 'account.requireStepUp',
  lift_step_up: 'account.liftStepUp',
  restore: 'account.restore',
};

const DONE: Readonly<Record<AccountAction, MessageKey>> = {
  freeze: 'account.frozenDone',
  unfreeze: 'account.unfrozenDone',
  lower_limit: 'account.limitLoweredDone',
  restore_limit: 'account.limitRestoredDone',
  require_step_up: 'account.stepUpDone',
  lift_step_up: 'account.stepUpLiftedDone',
  restore: 'account.restoredDone',
};

const FIELD_ERRORS = { reason: 'account.reasonMissing', limit: 'account.limitInvalid', expires: 'account.expiresInvalid' } as const;

function OneAction({ accountId, action, maxLimit, onDone }: { accountId: string; action: AccountAction; maxLimit: number | null; onDone: (a: AccountAction) => void }): ReactNode {
  const { t } = useI18n();
  const post = useAction<Record<string, unknown>>(`/v1/accounts/${encodeURIComponent(accountId)}/actions`, ['/v1/accounts/', '/v1/audit']);
  const [reason, setReason] = useState('');
  const [limitYuan, setLimitYuan] = useState('');
  const [expires, setExpires] = useState('');
  const f = actionFields(action);
  const form = { reason, limitYuan, expires };
  return (
    <ActionForm
      label={t(ACTION_NAMES[action])}
      danger={action === 'freeze'}
      check={() => {
        const r = actionBody(action, form);
        return 'field' in r ? t(FIELD_ERRORS[r.field]) : null;
      }}
      onConfirm={() => {
        const r = actionBody(action, form);
        return 'body' in r ? post.mutateAsync(r.body) : Promise.resolve();
      }}
      onDone={() => {
        onDone(action);
        setReason('');
        setLimitYuan('');
        setExpires('');
      }}
    >
      <Field label={t('account.reason')}>{(id) => <textarea id={id} rows={2} value={reason} required onChange={(e) => setReason(e.target.value)} />}</Field>
      {f.limit ? (
        <Field label={t('account.newLimit')} hint={maxLimit === null ? undefined : t('account.newLimitHint', { max: formatMoney(maxLimit) })}>
          {(id) => <input id={id} inputMode="decimal" value={limitYuan} onChange={(e) => setLimitYuan(e.target.value)} autoComplete="off" />}
        </Field>
      ) : null}
      {f.expiry ? (
        <Field label={t('account.expires')} hint={t('account.expiresHint')}>
          {(id) => <input id={id} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
      ) : null}
    </ActionForm>
  );
}

/** The actions panel of an account. */
export function AccountActions({ view }: { view: AccountView }): ReactNode {
  const { t } = useI18n();
  const actions = availableActions(view.restrictions);
  // said here, not by the action's form: the button of a done action goes away (a frozen account offers Unfreeze)
  const [done, setDone] = useState<AccountAction | null>(null);
  return (
    <section className="panel actions" aria-labelledby="account-actions">
      <h2 id="account-actions">{t('account.actions')}</h2>
      <p className="muted">{t('account.actionsNote')}</p>
      <div className="action-row">
        {actions.map((a) => (
          <OneAction key={a} accountId={view.accountId} action={a} maxLimit={view.credit.maxLimit} onDone={setDone} />
        ))}
      </div>
      <p className="done" role="status">
        {done === null ? null : t(DONE[done])}
      </p>
    </section>
  );
}
