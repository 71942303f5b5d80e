/**
 * Which pages a key sees. Driven by the permissions `GET /v1/whoami` reports, not by role names, so
 * the console shows exactly what the server would allow and nothing a click would only get refused.
 */
import type { Permission, WhoAmI } from '../api/types';

/** The console's pages, in navigation order. */
export const PAGE_IDS = ['overview', 'cases', 'accounts', 'merchants', 'rules', 'lists', 'reports', 'automation', 'audit'] as const;

/** One page of the console. */
export type PageId = (typeof PAGE_IDS)[number];

/**
 * The permission each page needs. Accounts needs `support`: the customer view and appeals customer
 * service works with (analysts and admins hold it too); everything else reads risk data (`read`).
 * Automation's changes and its webhooks need `admin`, checked within the page.
 */
export const PAGE_NEEDS: Readonly<Record<PageId, Permission>> = {
  overview: 'read',
  cases: 'read',
  accounts: 'support',
  merchants: 'read',
  rules: 'read',
  lists: 'read',
  reports: 'read',
  automation: 'read',
  audit: 'read',
};

/** Whether the key may do what `p` guards: the one check every action button goes through. */
export function allows(who: Pick<WhoAmI, 'permissions'>, p: Permission): boolean {
  return who.permissions.includes(p);
}

/** The pages a key may open, in navigation order. */
export function visiblePages(who: Pick<WhoAmI, 'permissions'>): PageId[] {
  return PAGE_IDS.filter((id) => allows(who, PAGE_NEEDS[id]));
}

/**
 * What the console shows a key: its pages, or the notice that the key is the payment switch's (a
 * `decide` key, or any key that can open no page).
 */
export function consoleAccess(who: Pick<WhoAmI, 'permissions' | 'role'>): 'console' | 'switch' {
  return who.role === 'decide' || visiblePages(who).length === 0 ? 'switch' : 'console';
}

/** The page to show for a requested one: itself when allowed, else the key's first page. */
export function pageFor(who: Pick<WhoAmI, 'permissions'>, requested: string | null): PageId | null {
  const pages = visiblePages(who);
  const match = pages.find((p) => p === requested);
  return match ?? pages[0] ?? null;
}
