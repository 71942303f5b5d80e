/**
 * Incident modes: overlays of rules and settings on the live version, each on or off, with who switched
 * it on and when; admin keys switch them (POST /v1/modes/{name}/on|off). Creating and editing a mode
 * is the API's (PUT /v1/modes/{name}) for now.
 */
import type { ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { usePolicyAction, useMayChange } from './actions';
import type { IncidentMode, ModeList } from './types';

function ModeRow({ m, may }: { m: IncidentMode; may: boolean }): ReactNode {
  const { t } = useI18n();
  const turn = usePolicyAction<boolean>((on) => `/v1/modes/${encodeURIComponent(m.name)}/${on ? 'on' : 'off'}`, () => undefined);
  return (
    <tr>
      <th scope="row"><code>{m.name}</code></th>
      <td>
        {m.description}
        <details>
          <summary>{t('rules.modeRules')}</summary>
          <pre className="file-text">{m.rules}</pre>
        </details>
        {turn.isError ? <ErrorNotice error={turn.error} /> : null}
      </td>
      <td>
        <span className={`state ${m.active ? 'state-live' : ''}`}>{m.active ? t('rules.modeOn') : t('rules.modeOff')}</span>
        {m.active && m.activeSince !== null ? (
          <div className="muted small">{t('rules.modeSince', { at: formatTime(m.activeSince), key: m.activeBy ?? '—' })}</div>
        ) : null}
      </td>
      {may ? (
        <td>
          <button
            type="button"
            className={m.active ? 'btn' : 'btn btn-primary'}
            disabled={turn.isPending}
            aria-label={m.active ? t('rules.modeSwitchOff', { name: m.name }) : t('rules.modeSwitchOn', { name: m.name })}
            onClick={() => turn.mutate(!m.active)}
          >
            {m.active ? t('rules.modeTurnOff') : t('rules.modeTurnOn')}
          </button>
        </td>
      ) : null}
    </tr>
  );
}

/** The incident modes table. */
export function ModesView(): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const q = useApi<ModeList>('/v1/modes', { refetchInterval: 5_000 });
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (q.data === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <section aria-labelledby="modes-title">
      <h2 id="modes-title">{t('rules.modesTitle')}</h2>
      <p className="muted">{t('rules.modesHelp', { policy: q.data.policy })}</p>
      {q.data.modes.length === 0 ? (
        <p className="notice">{t('rules.modesNone')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="modes">
            <caption className="sr-only">{t('rules.modesTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rules.modeName')}</th>
                <th scope="col">{t('rules.description')}</th>
                <th scope="col">{t('rules.state')}</th>
                {may ? <th scope="col"><span className="sr-only">{t('rules.actions')}</span></th> : null}
              </tr>
            </thead>
            <tbody>{q.data.modes.map((m) => <ModeRow key={m.name} m={m} may={may} />)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
