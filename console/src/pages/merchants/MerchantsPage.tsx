/** Merchants (next slice): merchant and terminal risk, settlement holds, suspensions, 核实商户. */
import type { ReactNode } from 'react';
import { PlannedPage, type PlannedRoute } from '../../ui/PlannedPage';

const ROUTES: readonly PlannedRoute[] = [
  { route: 'GET /v1/merchants', needs: 'read' },
  { route: 'GET /v1/merchants/{merchantId}', needs: 'docs' },
  { route: 'GET /v1/merchants/{merchantId}/actions', needs: 'read' },
  { route: 'POST /v1/merchants/{merchantId}/actions', needs: 'read' },
];

/** The merchants page of this slice: what it will show, from which routes. */
export function MerchantsPage(): ReactNode {
  return <PlannedPage title="nav.merchants" purpose="planned.merchants" routes={ROUTES} />;
}
