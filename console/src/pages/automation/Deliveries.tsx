/**
 * One webhook's latest deliveries (`GET /v1/webhooks/{id}/deliveries`), newest first: each event's
 * type and id, its state — waiting for a (re)try, delivered, or dead after the retry window — the
 * tries so far, the endpoint's last answer or error, and when the next try is due. Read again every
 * few seconds while shown, so retries can be watched.
 */
import { useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatNumber, formatTime } from '../../ui/format';
import { DELIVERY_STATE_NAMES, eventName, STATE_CLASSES } from './names';
import { DELIVERY_STATES, type DeliveryState, type Webhook, type WebhookDelivery } from './types';
import { deliveriesPath } from './webhook-form';

const POLL_MS = 5_000;

function LastAnswer({ d }: { d: WebhookDelivery }): ReactNode {
  const { t } = useI18n();
  if (d.lastStatus === null && d.lastError === null) return '—';
  return (
    <>
      {d.lastStatus === null ? null : <span className="nowrap">{t('deliveries.http', { status: d.lastStatus })}</span>}
      {d.lastStatus !== null && d.lastError !== null ? ' · ' : null}
      {d.lastError === null ? null : <span>{d.lastError}</span>}
    </>
  );
}

function Next({ d }: { d: WebhookDelivery }): ReactNode {
  const { t } = useI18n();
  if (d.state === 'pending') return formatTime(d.nextAt);
  if (d.state === 'delivered' && d.deliveredAt !== null) return t('deliveries.deliveredAt', { time: formatTime(d.deliveredAt) });
  return '—';
}

/** The deliveries panel of `hook`. */
export function Deliveries({ hook }: { hook: Webhook }): ReactNode {
  const { t } = useI18n();
  const [state, setState] = useState<DeliveryState | 'all'>('all');
  const q = useApi<{ deliveries: readonly WebhookDelivery[] }>(deliveriesPath(hook.id, state), { refetchInterval: POLL_MS, keepPrevious: true });
  const rows = q.data?.deliveries;
  return (
    <section className="panel" aria-labelledby="webhook-deliveries" data-testid="webhook-deliveries">
      <h2 id="webhook-deliveries">{t('deliveries.title', { url: hook.url })}</h2>
      <p className="muted">{t('deliveries.intro')}</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="delivery-state">{t('deliveries.state')}</label>
          <select id="delivery-state" value={state} onChange={(e) => setState(e.target.value as DeliveryState | 'all')}>
            <option value="all">{t('deliveries.states.all')}</option>
            {DELIVERY_STATES.map((s) => (
              <option key={s} value={s}>{t(DELIVERY_STATE_NAMES[s])}</option>
            ))}
          </select>
        </div>
      </div>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {rows === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="notice">{state === 'all' ? t('deliveries.none') : t('deliveries.noneOfState')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="deliveries-table">
            <caption className="sr-only">{t('deliveries.title', { url: hook.url })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('deliveries.event')}</th>
                <th scope="col">{t('deliveries.created')}</th>
                <th scope="col">{t('deliveries.stateColumn')}</th>
                <th scope="col" className="num">{t('deliveries.attempts')}</th>
                <th scope="col">{t('deliveries.lastAnswer')}</th>
                <th scope="col">{t('deliveries.next')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <code>{d.type}</code> <span className="muted">{eventName(t, d.type)}</span>
                    <br />
                    <code className="muted small">{d.eventId}</code>
                  </th>
                  <td className="time">{formatTime(d.createdAt)}</td>
                  <td>
                    <span className={STATE_CLASSES[d.state]}>{t(DELIVERY_STATE_NAMES[d.state])}</span>
                  </td>
                  <td className="num">{formatNumber(d.attempts)}</td>
                  <td>
                    <LastAnswer d={d} />
                  </td>
                  <td className="time">
                    <Next d={d} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
