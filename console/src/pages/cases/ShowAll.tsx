/** "Show all" under a list shortened to its first rows. */
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';

/** The button under a shortened list. */
export function ShowAll({ shown, total, onShowAll }: { shown: number; total: number; onShowAll: () => void }): ReactNode {
  const { t } = useI18n();
  if (shown >= total) return null;
  return (
    <p>
      <button type="button" className="link" onClick={onShowAll}>{t('case.showAll', { n: total })}</button>
    </p>
  );
}
