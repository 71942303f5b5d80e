/** What a payment switch's key sees: this key decides payments; the console needs an analyst's, admin's or support key. */
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { PageTitle } from '../../ui/PageTitle';

/** The notice, with the way out (sign out is in the header). */
export function SwitchKeyPage(): ReactNode {
  const { t } = useI18n();
  return (
    <section className="narrow">
      <PageTitle title={t('switch.title')} />
      <div className="notice">
        <p>{t('switch.body')}</p>
        <p>{t('switch.what')}</p>
      </div>
    </section>
  );
}
