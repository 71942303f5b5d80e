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

/** What the address names under its page (`#/cases/CASE-12` → `CASE-12`), decoded; null when nothing. */
export function restOfHash(hash: string): string | null {
  const m = /^#\/[a-z-]+\/(.+)$/.exec(hash);
  if (m === null || m[1] === undefined) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** The link of one record of a page: `#/accounts/acc-1`. */
export function hrefOfRecord(page: string, id: string): string {
  return `#/${page}/${encodeURIComponent(id)}`;
}

/** The record the address names under its page now, re-rendering when it changes. */
export function useHashRecord(): string | null {
  return useSyncExternalStore(subscribe, () => restOfHash(window.location.hash), () => null);
}

/** The whole hash now (`#/cases?state=open`), re-rendering when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash, () => '');
}
