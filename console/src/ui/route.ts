/**
 * The page in the address: `#/cases`. Hash routes work whatever the server does with unknown paths
 * under /console/, survive a reload and give every page a link an analyst can paste.
 */
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The page named by a hash (`#/cases` → `cases`), or null. */
export function pageOfHash(hash: string): string | null {
  const m = /^#\/([a-z-]+)/.exec(hash);
  return m === null ? null : (m[1] ?? null);
}

/** The link of a page. */
export function hrefOf(page: string): string {
  return `#/${page}`;
}

/** The page the address names now, re-rendering when it changes. */
export function useHashPage(): string | null {
  return useSyncExternalStore(subscribe, () => pageOfHash(window.location.hash), () => null);
}
