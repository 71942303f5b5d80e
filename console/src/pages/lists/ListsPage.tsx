/** Lists (next slice): block, allow and watch lists with their entries, reasons and expiry. */
import type { ReactNode } from 'react';
import { PlannedPage, type PlannedRoute } from '../../ui/PlannedPage';

const ROUTES: readonly PlannedRoute[] = [
  { route: 'GET /v1/lists', needs: 'read' },
  { route: 'GET /v1/lists/{name}/entries', needs: 'read' },
  { route: 'POST /v1/lists/{name}/entries', needs: 'admin' },
  { route: 'DELETE /v1/lists/{name}/entries/{value}', needs: 'admin' },
];

/** The lists page of this slice: what it will show, from which routes. */
export function ListsPage(): ReactNode {
  return <PlannedPage title="nav.lists" purpose="planned.lists" routes={ROUTES} />;
}
