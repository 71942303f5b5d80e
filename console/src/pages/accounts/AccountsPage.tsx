/** Accounts (next slice): an account's risk view and actions for analysts, the customer view and appeals for customer service. */
import type { ReactNode } from 'react';
import { useSession } from '../../api/session-context';
import { allows } from '../../ui/nav';
import { PlannedPage, type PlannedRoute } from '../../ui/PlannedPage';

const ROUTES: readonly PlannedRoute[] = [
  { route: 'GET /v1/accounts/{accountId}', needs: 'read' },
  { route: 'POST /v1/accounts/{accountId}/actions', needs: 'admin' },
  { route: 'GET /v1/accounts/{accountId}/customer-view', needs: 'support' },
  { route: 'POST /v1/accounts/{accountId}/appeals', needs: 'appeal' },
];

/** The accounts page of this slice: what it will show, from which routes; customer service is told of its own part only. */
export function AccountsPage(): ReactNode {
  const { who } = useSession();
  return <PlannedPage title="nav.accounts" purpose={allows(who, 'read') ? 'planned.accounts' : 'planned.accountsSupport'} routes={ROUTES} />;
}
