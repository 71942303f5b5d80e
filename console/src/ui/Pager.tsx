/** Previous / next buttons over a cursor, with the page number between them. */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import type { Cursor } from './use-cursor';

/** The pager of a cursor-paged table; `next` is the answer's cursor (null on the last page). */
export function Pager<C>({ cursor, next, busy }: { cursor: Cursor<C>; next: C | null | undefined; busy: boolean }): ReactNode {
  const { t } = useI18n();
  return (
    <div className="pager">
      <button type="button" className="btn" disabled={cursor.page === 1 || busy} onClick={cursor.previous}>
        {t('pager.previous')}
      </button>
      <span aria-live="polite">{t('pager.page', { page: cursor.page })}</span>
      <button
        type="button"
        className="btn"
        disabled={next === null || next === undefined || busy}
        onClick={() => {
          if (next !== null && next !== undefined) cursor.next(next);
        }}
      >
        {t('pager.next')}
      </button>
    </div>
  );
}
