/** Reports (next slice): the weekly risk report. */
import type { ReactNode } from 'react';
import { PlannedPage, type PlannedRoute } from '../../ui/PlannedPage';

const ROUTES: readonly PlannedRoute[] = [{ route: 'GET /v1/reports/risk', needs: 'read' }];

/** The reports page of this slice: what it will show, from which route. */
export function ReportsPage(): ReactNode {
  return <PlannedPage title="nav.reports" purpose="planned.reports" routes={ROUTES} />;
}
