/** Rules (next slice): rule performance, policy versions and their four-eyes publication. */
import type { ReactNode } from 'react';
import { PlannedPage, type PlannedRoute } from '../../ui/PlannedPage';

const ROUTES: readonly PlannedRoute[] = [
  { route: 'GET /v1/rules/performance', needs: 'read' },
  { route: 'GET /v1/policies', needs: 'read' },
  { route: 'GET /v1/policies/live', needs: 'read' },
  { route: 'GET /v1/policies/{version}', needs: 'read' },
  { route: 'POST /v1/policies/{version}/publish', needs: 'admin' },
  { route: 'POST /v1/policies/{version}/approve', needs: 'admin' },
  { route: 'POST /v1/policies/rollback', needs: 'admin' },
];

/** The rules page of this slice: what it will show, from which routes. */
export function RulesPage(): ReactNode {
  return <PlannedPage title="nav.rules" purpose="planned.rules" routes={ROUTES} />;
}
