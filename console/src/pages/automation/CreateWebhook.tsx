/**
 * Subscribing an endpoint (`POST /v1/webhooks`, admin): its URL, the event types it wants (the
 * server's list, each said in words) and a description; then its signing secret, which the server
 * shows in this one answer and never again, with the plain instruction to store it now.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';
import { EVENT_TYPE_NAMES } from './names';
import { WEBHOOK_EVENT_TYPES, type CreatedWebhook, type WebhookEventType } from './types';
import { useChange } from './use-change';
import { webhookBody, type WebhookBody } from './webhook-form';

const FIELD_ERRORS: Readonly<Record<'url' | 'events' | 'description', MessageKey>> = {
  url: 'webhooks.urlInvalid',
  events: 'webhooks.eventsMissing',
  description: 'webhooks.descriptionLong',
};

/** The secret of the webhook just made, shown once; focused so a keyboard or screen-reader user lands on it. */
function SecretOnce({ made, onStored }: { made: CreatedWebhook; onStored: () => void }): ReactNode {
  const { t } = useI18n();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="notice notice-warn secret-once" role="region" aria-labelledby="secret-title" data-testid="webhook-secret">
      <h3 id="secret-title">{t('webhooks.secretTitle')}</h3>
      <p>{t('webhooks.secretOnce', { url: made.url })}</p>
      <div className="field">
        <label htmlFor="webhook-secret-value">{t('webhooks.secret')}</label>{' '}
        <input ref={ref} id="webhook-secret-value" className="wide" readOnly value={made.secret} onFocus={(e) => e.currentTarget.select()} aria-describedby="secret-how" />
      </div>
      <p id="secret-how" className="muted hint">{t('webhooks.secretHow')}</p>
      <button type="button" className="btn" onClick={onStored}>
        {t('webhooks.secretStored')}
      </button>
    </div>
  );
}

/** The New webhook button, its form and, once made, the secret. */
export function CreateWebhook({ onCreated }: { onCreated: (id: string) => void }): ReactNode {
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<ReadonlySet<WebhookEventType>>(new Set());
  const [description, setDescription] = useState('');
  const [made, setMade] = useState<CreatedWebhook | null>(null);
  const post = useChange<WebhookBody, CreatedWebhook>('POST', () => '/v1/webhooks', ['/v1/webhooks', '/v1/audit']);
  const form = { url, events, description };
  return (
    <>
      <ActionForm
        label={t('webhooks.create')}
        check={() => {
          const r = webhookBody(form);
          return 'field' in r ? t(FIELD_ERRORS[r.field]) : null;
        }}
        onConfirm={() => {
          const r = webhookBody(form);
          if (!('body' in r)) return Promise.resolve();
          setMade(null);
          return post.mutateAsync(r.body).then((w) => {
            setMade(w);
            onCreated(w.id);
          });
        }}
        onDone={() => {
          setUrl('');
          setEvents(new Set());
          setDescription('');
        }}
      >
        <Field label={t('webhooks.url')} hint={t('webhooks.urlHint')}>
          {(id) => <input id={id} inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" maxLength={2000} />}
        </Field>
        <fieldset className="choices event-choices">
          <legend>{t('webhooks.eventTypes')}</legend>
          {WEBHOOK_EVENT_TYPES.map((e) => (
            <label key={e}>
              <input
                type="checkbox"
                checked={events.has(e)}
                onChange={() => {
                  const next = new Set(events);
                  if (next.has(e)) next.delete(e);
                  else next.add(e);
                  setEvents(next);
                }}
              />{' '}
              <code>{e}</code> <span className="muted">{t(EVENT_TYPE_NAMES[e])}</span>
            </label>
          ))}
        </fieldset>
        <Field label={t('webhooks.description')}>{(id) => <textarea id={id} rows={2} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />}</Field>
      </ActionForm>
      {made === null ? null : <SecretOnce made={made} onStored={() => setMade(null)} />}
    </>
  );
}
