/**
 * The list store port: block, allow and watch lists and their entries, durable across restarts.
 * The store is the source of truth; at startup the engine's ListSet is loaded from it, and every
 * change goes to the store first and to the ListSet after (see ListManager), so a change that the
 * store refuses changes nothing. Inputs arrive checked (ListSet.checkList / checkEntry): an adapter
 * stays thin and only guards what the database knows (existence, uniqueness, default lists).
 *
 * Every change returns what it did — actor, action, target, before and after — and hands it to the
 * adapter's `onChange` hook inside the same transaction, so an audit log written there is atomic
 * with the change: if the hook throws, the change is rolled back.
 */
import type { Result, ResultKind } from '../io/result-kind.js';
import type { ListSet } from './list-set.js';
import type { EntryPage, ListChange, ListEntry, ListInfo, PageRequest } from './types.js';

/** A list with the number of entries it holds (expired ones not yet pruned included). */
export interface ListSummary extends ListInfo {
  readonly entries: number;
}

/** Called with every change before it commits, with the store's version after it; throwing rolls the change back. */
export type ListChangeHook = (change: ListChange, version: number) => void;

/**
 * Durable lists, generic over the adapter's kind (see io/result-kind.ts): the embedded database
 * answers in microseconds (`ListStore<'sync'>`), a networked one later (`ListStore<'async'>`); the
 * ListManager awaits either. The change hook runs inside the adapter's transaction whatever its kind.
 */
export interface ListStore<K extends ResultKind = ResultKind> {
  /** Creates a list; a ConflictError when the name is taken. */
  createList(info: ListInfo, actor: string): Result<K, ListChange>;
  /** Deletes a list and all its entries; a NotFoundError when absent, a ConflictError for a default list. */
  deleteList(name: string, actor: string): Result<K, ListChange>;
  /** Adds an entry, or replaces the entry of the same value (`before` is then the old one); a NotFoundError for an unknown list. */
  putEntry(list: string, entry: ListEntry, actor: string): Result<K, ListChange>;
  /** Removes an entry; a NotFoundError when the list or the value is absent. */
  removeEntry(list: string, value: string, actor: string): Result<K, ListChange>;
  /** Every list by name, with entry counts. */
  lists(): Result<K, ListSummary[]>;
  /** One list, or undefined. */
  list(name: string): Result<K, ListSummary | undefined>;
  /** A page of a list's entries in value order; with `nowMs`, entries expired by then are left out. A NotFoundError for an unknown list. */
  entries(list: string, page?: PageRequest, nowMs?: number): Result<K, EntryPage>;
  /** Deletes entries expired at `nowMs` (wall clock), returning how many; not audited (nobody changed anything). */
  purgeExpired(nowMs: number): Result<K, number>;
  /** Puts every list and every entry not expired at `nowMs` into `set`; returns the number of entries loaded. */
  loadInto(set: ListSet, nowMs?: number): Result<K, number>;
  /** How many changes were ever committed, by any writer: a reader that sees it move knows to reload. */
  version(): Result<K, number>;
  /** Releases the database (when the adapter opened it). */
  close(): Result<K, void>;
}
