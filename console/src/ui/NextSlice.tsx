/**
 * A page that is not built yet says so plainly, with the API it will show, instead of showing
 * invented figures an analyst could mistake for real ones.
 */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { PageTitle } from './PageTitle';

/** The notice: the page's purpose, the routes it will read, and that it comes in the next slice. */
export function NextSlice({ title, purpose, apis }: { title: string; purpose: string; apis: readonly string[] }): ReactNode {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle title={title} />
      <div className="notice">
        <p>{purpose}</p>
        <p>{t('nextSlice.apis')}</p>
        <ul className="apis">
          {apis.map((a) => (
            <li key={a}>
              <code>{a}</code>
            </li>
          ))}
        </ul>
        <p>{t('nextSlice.when')}</p>
      </div>
    </section>
  );
}
