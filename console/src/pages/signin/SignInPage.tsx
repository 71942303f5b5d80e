/**
 * Sign in with an API key. The key is checked with `GET /v1/whoami` before it is kept; a refused key
 * stays in the field with the reason beside it, in plain words and the server's own.
 */
import { useId, useState, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { ApiError, apiGet } from '../../api/client';
import type { WhoAmI } from '../../api/types';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { explain, serverWords } from '../../ui/ErrorNotice';

/** The sign-in form; `onSignedIn` receives the accepted key and who it is. `notice` says why the last session ended. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (key: string, who: WhoAmI) => void; notice?: MessageKey }): ReactNode {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const fieldId = useId();
  const errorId = useId();
  const check = useMutation<WhoAmI, ApiError, string>({
    mutationFn: (k) => apiGet<WhoAmI>('/v1/whoami', k),
    onSuccess: (who, k) => onSignedIn(k, who),
  });
  const e = check.error;
  const why = e === null ? null : e.status === 404 ? t('signin.noWhoami') : explain(t, e);
  const words = e === null ? null : serverWords(e);
  return (
    <section className="signin">
      <h1>{t('signin.title')}</h1>
      <p className="muted">{t('signin.intro')}</p>
      {notice === undefined ? null : <p className="notice notice-warn" role="status">{t(notice)}</p>}
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          const k = key.trim();
          if (k !== '') check.mutate(k);
        }}
      >
        <label htmlFor={fieldId}>{t('signin.keyLabel')}</label>
        <input
          id={fieldId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={key}
          aria-invalid={e !== null}
          aria-describedby={e === null ? undefined : errorId}
          onChange={(ev) => setKey(ev.target.value)}
        />
        {why === null ? null : (
          <div id={errorId} className="field-error" role="alert">
            <p>{why}</p>
            {words === null ? null : <p>{t('error.serverSaid', { message: words })}</p>}
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={check.isPending}>
          {check.isPending ? t('signin.checking') : t('signin.submit')}
        </button>
      </form>
      <p className="muted small">{t('signin.storage')}</p>
    </section>
  );
}
