/**
 * The Lists page's requests: the path of a page of entries (the API's `after` cursor and `limit`),
 * a search by value prefix done with that same cursor (entries come in value order, so the page
 * starting just before the prefix holds its matches first), and the bodies of "Add entry" and
 * "Create list" from their forms, the expiry read as Asia/Shanghai time.
 */
import { withQuery } from '../../api/client';

/** Entries per page. */
export const ENTRY_PAGE = 50;

/** The list names go in the path as they are (a–z, 0–9, _); values are URI-encoded. */
export function listPath(name: string): string {
  return `/v1/lists/${encodeURIComponent(name)}`;
}

/** The path of one entry (for DELETE). */
export function entryPath(name: string, value: string): string {
  return `${listPath(name)}/entries/${encodeURIComponent(value)}`;
}

/**
 * A cursor that sorts just before every value starting with `prefix` (and after every value before
 * it): the prefix with its last character one lower, followed by the highest code unit.
 */
export function cursorBefore(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0) return prefix.slice(0, -1) || undefined;
  return `${prefix.slice(0, -1)}${String.fromCharCode(last - 1)}\uffff`;
}

/** The path of a page of entries: the page after `cursor`, or the first page of the search `prefix`. */
export function entriesPath(name: string, prefix: string, cursor: string | undefined, limit = ENTRY_PAGE): string {
  const after = cursor ?? cursorBefore(prefix.trim());
  return withQuery(`${listPath(name)}/entries`, { after, limit });
}

/**
 * What a page shows under a search: the entries that start with the prefix, and the next cursor only
 * while the page has not gone past them (the page after would hold none).
 */
export function matching<E extends { readonly value: string }>(prefix: string, page: { entries: readonly E[]; next: string | null }): { entries: E[]; next: string | null } {
  const p = prefix.trim();
  if (p === '') return { entries: [...page.entries], next: page.next };
  const entries = page.entries.filter((e) => e.value.startsWith(p));
  const past = page.entries.some((e) => e.value > p && !e.value.startsWith(p));
  return { entries, next: past ? null : page.next };
}

/**
 * A `datetime-local` value (`2026-12-31T23:59`) as Asia/Shanghai time with its offset; '' stays
 * absent (never expires); null when it does not parse.
 */
export function shanghaiInstant(local: string): string | undefined | null {
  const s = local.trim();
  if (s === '') return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(:\d\d)?$/.exec(s);
  return m === null ? null : `${m[1]}${m[2] ?? ':00'}+08:00`;
}

/** The body of "Add entry", or the field in error. */
export function entryBody(form: { value: string; reason: string; expires: string }): { body: { value: string; reason: string; expiresAt?: string } } | { field: 'value' | 'reason' | 'expires' } {
  const value = form.value.trim();
  if (value === '') return { field: 'value' };
  const reason = form.reason.trim();
  if (reason === '') return { field: 'reason' };
  const expiresAt = shanghaiInstant(form.expires);
  if (expiresAt === null) return { field: 'expires' };
  return { body: expiresAt === undefined ? { value, reason } : { value, reason, expiresAt } };
}

/** The list names the server accepts. */
export const LIST_NAME = /^[a-z][a-z0-9_]{0,63}$/;
