/**
 * The merchant actions a key may take (POST /v1/merchants/{id}/actions): "Hold settlement" for
 * analysts and admins, "Release" (the hold), and per terminal "Suspend terminal" / "Release terminal"
 * for admins. Each is an ActionForm with its reason (and an expiry where the API takes one); once
 * done the merchant, the list and the audit are read again, so the result shows at once.
 */
import { useState, type ReactNode } from 'react';
import { useAction } from '../../api/session-context';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';
import { merchantActionBody, takesExpiry, type MerchantAction } from './actions';

/** Each action's button and heading. */
export const MERCHANT_ACTION_NAMES: Readonly<Record<MerchantAction, MessageKey>> = {
  hold_settlement: 'merchants.holdSettlement',
  release: 'merchants.release',
  suspend_terminal: 'merchants.suspendTerminal',
  release_terminal: 'merchants.releaseTerminal',
};

const DONE: Readonly<Record<MerchantAction, MessageKey>> = {
  hold_settlement: 'merchants.heldDone',
  release: 'merchants.releasedDone',
  suspend_terminal: 'merchants.suspendedDone',
  release_terminal: 'merchants.terminalReleasedDone',
};

const FIELD_ERRORS = { reason: 'merchants.reasonMissing', expires: 'merchants.expiresInvalid' } as const;

/** What was last done, said under the buttons (the button of a done action goes away). */
export interface Done {
  readonly action: MerchantAction;
  readonly terminalId?: string;
}

/** The words of a done action. */
export function useDoneText(): (d: Done) => string {
  const { t } = useI18n();
  return (d) => t(DONE[d.action], { id: d.terminalId ?? '' });
}

/** One action's button and form. */
export function MerchantActionButton({
  merchantId,
  action,
  terminalId,
  onDone,
}: {
  merchantId: string;
  action: MerchantAction;
  terminalId?: string;
  onDone: (d: Done) => void;
}): ReactNode {
  const { t } = useI18n();
  const post = useAction<Record<string, unknown>>(`/v1/merchants/${encodeURIComponent(merchantId)}/actions`, ['/v1/merchants', '/v1/audit', '/v1/cases']);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const form = { reason, expires, ...(terminalId === undefined ? {} : { terminalId }) };
  const label = t(MERCHANT_ACTION_NAMES[action]);
  return (
    <ActionForm
      label={label}
      danger={action === 'suspend_terminal'}
      check={() => {
        const r = merchantActionBody(action, form);
        return 'field' in r ? t(FIELD_ERRORS[r.field]) : null;
      }}
      onConfirm={() => {
        const r = merchantActionBody(action, form);
        return 'body' in r ? post.mutateAsync(r.body) : Promise.resolve();
      }}
      onDone={() => {
        onDone({ action, ...(terminalId === undefined ? {} : { terminalId }) });
        setReason('');
        setExpires('');
      }}
    >
      {terminalId === undefined ? null : <p className="muted">{t('merchants.terminalOf', { id: terminalId })}</p>}
      <Field label={t('merchants.reason')}>{(id) => <textarea id={id} rows={2} value={reason} required onChange={(e) => setReason(e.target.value)} />}</Field>
      {takesExpiry(action) ? (
        <Field label={t('merchants.expires')} hint={t('merchants.expiresHint')}>
          {(id) => <input id={id} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
      ) : null}
    </ActionForm>
  );
}
