/**
 * A page of a later slice: the routes it will show, listed only when the key may use them, so an
 * analyst's page never mentions an admin's action and customer service sees its own routes only.
 */
import type { ReactNode } from 'react';
import { useSession } from '../api/session-context';
import type { Permission } from '../api/types';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { allows } from './nav';
import { NextSlice } from './NextSlice';

/** A route a planned page will read or act through, and the permission it takes. */
export interface PlannedRoute {
  readonly route: string;
  readonly needs: Permission;
}

/** The notice of a planned page, its routes filtered by the key's permissions. */
export function PlannedPage({ title, purpose, routes }: { title: MessageKey; purpose: MessageKey; routes: readonly PlannedRoute[] }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  return <NextSlice title={t(title)} purpose={t(purpose)} apis={routes.filter((r) => allows(who, r.needs)).map((r) => r.route)} />;
}
