/**
 * The webhook subscriptions (`GET /v1/webhooks`, admin): where each sends, what it wants, who made it
 * and when; a new one (its secret shown once), deleting one after a confirmation (its pending
 * deliveries are dropped), and the chosen one's deliveries, dead letters included.
 */
import { useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ActionForm } from '../../ui/ActionForm';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { CreateWebhook } from './CreateWebhook';
import { Deliveries } from './Deliveries';
import { eventName } from './names';
import type { Webhook } from './types';
import { useChange } from './use-change';

function DeleteWebhook({ hook, onDeleted }: { hook: Webhook; onDeleted: (h: Webhook) => void }): ReactNode {
  const { t } = useI18n();
  const del = useChange<string>('DELETE', (id) => `/v1/webhooks/${encodeURIComponent(id)}`, ['/v1/webhooks', '/v1/audit'], () => undefined);
  return (
    <ActionForm label={t('webhooks.delete')} danger onConfirm={() => del.mutateAsync(hook.id).then(() => onDeleted(hook))}>
      <p>{t('webhooks.deleteConfirm', { url: hook.url })}</p>
    </ActionForm>
  );
}

/** The webhooks panel, and the deliveries of the one chosen. */
export function Webhooks(): ReactNode {
  const { t } = useI18n();
  const q = useApi<{ webhooks: readonly Webhook[] }>('/v1/webhooks');
  const [chosen, setChosen] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const hooks = q.data?.webhooks;
  const hook = hooks?.find((h) => h.id === chosen) ?? null;
  return (
    <>
      <section className="panel" aria-labelledby="webhooks" data-testid="webhooks">
        <h2 id="webhooks">{t('webhooks.title')}</h2>
        <p className="muted">{t('webhooks.intro')}</p>
        {q.isError ? <ErrorNotice error={q.error} /> : null}
        {hooks === undefined ? (
          q.isError ? null : <p className="muted">{t('common.loading')}</p>
        ) : hooks.length === 0 ? (
          <p className="notice">{t('webhooks.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data" data-testid="webhooks-table">
              <caption className="sr-only">{t('webhooks.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('webhooks.url')}</th>
                  <th scope="col">{t('webhooks.eventTypes')}</th>
                  <th scope="col">{t('webhooks.description')}</th>
                  <th scope="col">{t('webhooks.created')}</th>
                  <th scope="col"><span className="sr-only">{t('webhooks.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {hooks.map((h) => (
                  <tr key={h.id} className={h.id === chosen ? 'selected' : undefined}>
                    <th scope="row">
                      <code className="break">{h.url}</code>
                    </th>
                    <td className="codes">
                      {h.events.map((e) => (
                        <code key={e} title={eventName(t, e)}>{e}</code>
                      ))}
                    </td>
                    <td>{h.description ?? '—'}</td>
                    <td>
                      <span className="nowrap">{formatTime(h.createdAt)}</span>
                      <br />
                      <span className="muted">{t('webhooks.by', { who: h.createdBy })}</span>
                    </td>
                    <td>
                      <div className="row-actions">
                        <button type="button" className="btn" aria-pressed={h.id === chosen} onClick={() => setChosen(h.id === chosen ? null : h.id)}>
                          {t('webhooks.deliveries')}
                        </button>
                        <DeleteWebhook
                          hook={h}
                          onDeleted={(gone) => {
                            setDeleted(gone.url);
                            if (gone.id === chosen) setChosen(null);
                          }}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="done" role="status">
          {deleted === null ? null : t('webhooks.deleted', { url: deleted })}
        </p>
        <div className="list-actions">
          <CreateWebhook
            onCreated={(id) => {
              setDeleted(null);
              setChosen(id);
            }}
          />
        </div>
      </section>
      {hook === null ? null : <Deliveries key={hook.id} hook={hook} />}
    </>
  );
}
