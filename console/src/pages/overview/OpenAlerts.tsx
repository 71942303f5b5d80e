/**
 * Alerts raised and not acknowledged yet (`GET /v1/alerts?open=true`, polled): what moved beyond the
 * same hour of past days, the server's own health, and rules past their cap on automatic actions.
 * An analyst acknowledges each with one click (`POST /v1/alerts/{id}/ack`), which is audited.
 */
import type { ReactNode } from 'react';
import { useAction, useApi } from '../../api/session-context';
import type { Alert } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';

/** How often open alerts are asked for. */
const ALERTS_POLL_MS = 10_000;

function AlertRow({ a, canAck }: { a: Alert; canAck: boolean }): ReactNode {
  const { t } = useI18n();
  const ack = useAction<{ note?: string }>(`/v1/alerts/${a.id}/ack`, ['/v1/alerts']);
  return (
    <tr data-testid={`alert-${a.id}`}>
      <td>{formatTime(a.raisedAt)}</td>
      <td>
        <code>{a.metric}</code>
        {a.subject === null ? null : <> · <code>{a.subject}</code></>}
      </td>
      <td>{a.message}</td>
      <td className="nowrap">
        {canAck ? (
          <button type="button" disabled={ack.isPending} onClick={() => ack.mutate({})}>
            {t('alerts.ack')}
          </button>
        ) : null}
        {ack.isError ? <ErrorNotice error={ack.error} /> : null}
      </td>
    </tr>
  );
}

/** The open alerts, newest first; `canAck` shows the acknowledge buttons. */
export function OpenAlerts({ canAck }: { canAck: boolean }): ReactNode {
  const { t } = useI18n();
  const q = useApi<{ alerts: Alert[] }>('/v1/alerts?open=true', { refetchInterval: ALERTS_POLL_MS });
  const alerts = q.data?.alerts ?? [];
  return (
    <section className="panel" aria-labelledby="open-alerts">
      <h2 id="open-alerts">{t('alerts.open')}</h2>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {alerts.length === 0 ? (
        <p className="muted">{q.data === undefined ? t('common.loading') : t('alerts.none')}</p>
      ) : (
        <table className="data" data-testid="open-alerts">
          <thead>
            <tr>
              <th scope="col">{t('alerts.raisedAt')}</th>
              <th scope="col">{t('alerts.metric')}</th>
              <th scope="col">{t('alerts.message')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <AlertRow key={a.id} a={a} canAck={canAck} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
