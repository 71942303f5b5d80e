/**
 * A refused or failed call in plain words: what it means for the analyst first, then the server's own
 * message. Shared so every page words the same refusal the same way.
 */
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useI18n, type Translate } from '../i18n/i18n';

/** What an error means, in the current language. */
export function explain(t: Translate, e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.unexpected');
  switch (e.code) {
    case 'unauthorized':
      return t('error.unauthorized');
    case 'forbidden':
      return t('error.forbidden');
    case 'not_found':
      return t('error.notFound');
    case 'network':
      return t('error.network');
    case 'conflict':
      return t('error.conflict');
    case 'invalid_request':
      return e.path === undefined ? t('error.invalidRequest') : t('error.invalidField', { field: e.path });
    case 'shutting_down':
    case 'journal_unavailable':
      return t('error.unavailable');
    default:
      return t('error.other', { status: e.status, code: e.code });
  }
}

/** The server's own words, when it sent some. */
export function serverWords(e: unknown): string | null {
  return e instanceof ApiError && e.message !== '' ? e.message : null;
}

/** An error box (role=alert) for a failed read or action. */
export function ErrorNotice({ error, id }: { error: unknown; id?: string }): ReactNode {
  const { t } = useI18n();
  const words = serverWords(error);
  return (
    <div className="notice notice-error" role="alert" id={id}>
      <p>{explain(t, error)}</p>
      {words === null ? null : <p className="muted">{t('error.serverSaid', { message: words })}</p>}
    </div>
  );
}
