/**
 * What Fengkong does by itself and tells others, in one place: the lower limits the credit rating
 * proposes each week (approved or rejected by an admin), the webhooks that tell the provider's other
 * systems what happens (admins only: their URLs and deliveries are the admin's business), and the
 * templates of what customers are told. Each section reads and changes its own API; the page needs
 * `read`, and every change `admin`, as the server does.
 */
import type { ReactNode } from 'react';
import { useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { allows } from '../../ui/nav';
import { PageTitle } from '../../ui/PageTitle';
import { LimitProposals } from './LimitProposals';
import { NoticeTemplatesPanel } from './NoticeTemplates';
import { Webhooks } from './Webhooks';

/** The Automation page. */
export function AutomationPage(): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const admin = allows(who, 'admin');
  return (
    <section>
      <PageTitle title={t('automation.title')} sub={admin ? t('automation.subAdmin') : t('automation.subRead')} />
      <LimitProposals admin={admin} />
      {admin ? (
        <Webhooks />
      ) : (
        <section className="panel" aria-labelledby="webhooks" data-testid="webhooks">
          <h2 id="webhooks">{t('webhooks.title')}</h2>
          <p className="muted">{t('webhooks.adminOnly')}</p>
        </section>
      )}
      <NoticeTemplatesPanel admin={admin} />
    </section>
  );
}
