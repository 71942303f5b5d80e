/** The page links a key may use, and nothing else: pages its role cannot read are not shown at all. */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { PAGE_NAMES } from './names';
import type { PageId } from './nav';
import { hrefOf } from './route';

/** The side navigation; the current page carries aria-current. */
export function Nav({ pages, current }: { pages: readonly PageId[]; current: PageId }): ReactNode {
  const { t } = useI18n();
  return (
    <nav className="side" aria-label={t('nav.label')}>
      <ul>
        {pages.map((p) => (
          <li key={p}>
            <a href={hrefOf(p)} aria-current={p === current ? 'page' : undefined}>
              {t(PAGE_NAMES[p])}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
