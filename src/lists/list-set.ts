/**
 * The engine's lists in memory: one Map per list, so `has(list, value, at)` — what `in_list()` in a
 * rule calls for every payment — is two hash lookups and a comparison, with no allocation. An
 * entry reads as absent from its `expiresAt` on, compared with the payment's event time, so a
 * replay of the same events against the same lists decides the same way; expired entries are
 * dropped later by `prune` (on changes, and when the owner calls it).
 *
 * Every change validates first and changes nothing when it throws.
 */
import { ConflictError, ListError, NotFoundError } from '../errors.js';
import type { ListLookup } from '../features/vector.js';
import type { ListUse } from '../rules/policy-types.js';
import { HASHED_RE, hashedValue } from './shared.js';
import {
  DEFAULT_LISTS,
  DEFAULT_PAGE,
  MAX_PAGE,
  SYSTEM_AUTHOR,
  kindAccepts,
  type EntryPage,
  type ListDef,
  type ListEntry,
  type ListInfo,
  type PageRequest,
} from './types.js';
import { checkAuthor, checkListName, validateEntry, validateListDef, validateValue } from './validate.js';

interface ListState {
  info: ListInfo;
  readonly entries: Map<string, ListEntry>;
}

/** Named lists with their entries; the engine reads them on every decision through `has`. */
export class ListSet implements ListLookup {
  private readonly byName = new Map<string, ListState>();
  /** entries on all lists, expired ones included until pruned; 0 lets `has` answer at once. */
  private total = 0;
  /** earliest expiry of any entry held: nothing to prune before it. */
  private nextExpiry = Infinity;
  /** The consortium key partner lists are hashed under (lists/shared.ts); null: hashed entries match nothing. */
  private consortiumKey: Buffer | null = null;
  /** Lists that hold (or held) hashed entries: only their lookups hash the value. */
  private readonly hashedLists = new Set<string>();
  /** The last value hashed and its hash (a payment asks the same list for the same value several times). */
  private lastPlain = '';
  private lastHashed = '';

  /**
   * @param options.defaults create the default lists (block_accounts, …, allow_accounts, watch_merchants);
   * default true, because the default policy names them.
   * @param options.createdAt wall-clock stamp of the default lists (default now).
   */
  constructor(options: { defaults?: boolean; createdAt?: number } = {}) {
    if (options.defaults ?? true) {
      for (const info of defaultListInfos(options.createdAt ?? Date.now())) this.byName.set(info.name, { info, entries: new Map() });
    }
  }

  /**
   * True when `value` is on `list` and its entry has not expired at `atMs` (epoch ms, the payment's
   * event time). An unknown value (''), an unknown list or an unknown time with an expiring entry
   * is never on a list. The hot path: no allocation.
   */
  has(list: string, value: string, atMs: number): boolean {
    if (this.total === 0 || value === '') return false;
    const l = this.byName.get(list);
    if (l === undefined) return false;
    let e = l.entries.get(value);
    if (e === undefined) {
      // a partner's list holds keyed hashes: look the value up as the partner wrote it
      if (this.consortiumKey === null || !this.hashedLists.has(list)) return false;
      if (value !== this.lastPlain) {
        this.lastHashed = hashedValue(this.consortiumKey, value);
        this.lastPlain = value;
      }
      e = l.entries.get(this.lastHashed);
      if (e === undefined) return false;
    }
    const x = e.expiresAt;
    return x === null || atMs < x;
  }

  /**
   * Sets the consortium key partner lists' hashed entries (`h:<hex>`, lists/shared.ts) were made
   * with: from now on `has` also finds a value whose keyed hash is on such a list.
   */
  setConsortiumKey(key: Buffer | null): void {
    this.consortiumKey = key;
    this.lastPlain = '';
  }

  /** The entry for `value`, if held; with `atMs`, only when it has not expired by then. */
  get(list: string, value: string, atMs?: number): ListEntry | undefined {
    const e = this.state(list).entries.get(value);
    if (e === undefined || atMs === undefined || e.expiresAt === null) return e;
    return atMs < e.expiresAt ? e : undefined;
  }

  /** The list named `name`, if it exists. */
  info(name: string): ListInfo | undefined {
    return this.byName.get(name)?.info;
  }

  /** The list named `name`, or a NotFoundError naming the lists there are. */
  require(name: string): ListInfo {
    return this.state(name).info;
  }

  /** Every list, by name. */
  lists(): ListInfo[] {
    return [...this.byName.values()].map((s) => s.info).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Entries held on `list`, expired ones included until pruned. */
  size(list: string): number {
    return this.state(list).entries.size;
  }

  /** A page of `list`'s entries in value order; with `atMs`, entries expired by then are left out. */
  entries(list: string, page: PageRequest = {}, atMs?: number): EntryPage {
    const limit = pageLimit(page.limit);
    const after = page.after;
    const all: ListEntry[] = [];
    for (const e of this.state(list).entries.values()) {
      if (after !== undefined && e.value <= after) continue;
      if (atMs !== undefined && e.expiresAt !== null && e.expiresAt <= atMs) continue;
      all.push(e);
    }
    all.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const entries = all.slice(0, limit);
    return { entries, next: all.length > limit ? entries[entries.length - 1].value : null };
  }

  /**
   * A list definition from JSON `{name, kind, purpose, description?}`, checked but not created: a
   * ListError for bad input, a ConflictError when the name is taken.
   */
  checkList(input: unknown, author: string, nowMs: number = Date.now()): ListInfo {
    const def = validateListDef(input);
    if (this.byName.has(def.name)) throw new ConflictError(`list '${def.name}' exists already`);
    return { ...def, createdBy: checkAuthor(author), createdAt: nowMs, builtin: false };
  }

  /** Creates a list from JSON (see checkList). */
  createList(input: unknown, author: string, nowMs: number = Date.now()): ListInfo {
    const info = this.checkList(input, author, nowMs);
    this.putList(info);
    return info;
  }

  /**
   * Puts a list as stored: creates it, or for an existing one (a default list at startup) keeps its
   * entries and takes the stored description. A list's kind and purpose never change: a ListError.
   */
  putList(info: ListInfo): void {
    checkListName(info.name);
    const s = this.byName.get(info.name);
    if (s === undefined) {
      this.byName.set(info.name, { info: { ...info }, entries: new Map() });
      return;
    }
    if (s.info.kind !== info.kind || s.info.purpose !== info.purpose) {
      throw new ListError('kind', `${s.info.kind} ${s.info.purpose} for list '${info.name}', as it was created, not ${info.kind} ${info.purpose}`);
    }
    s.info = { ...s.info, description: info.description };
  }

  /**
   * The list that deleting `name` would remove, or why not: a NotFoundError, or a ConflictError for
   * a default list or one that a live policy names (`inUse`, from CompiledPolicy.lists).
   */
  checkDelete(name: string, inUse: readonly string[] = []): ListInfo {
    const s = this.state(name);
    if (s.info.builtin) throw new ConflictError(`list '${name}' is a default list and cannot be deleted`);
    if (inUse.includes(name)) throw new ConflictError(`list '${name}' is used by a rule of the live policy; remove the rule first`);
    return s.info;
  }

  /** Deletes a list and its entries (see checkDelete). */
  deleteList(name: string, inUse: readonly string[] = []): ListInfo {
    const info = this.checkDelete(name, inUse);
    this.total -= this.state(name).entries.size;
    this.byName.delete(name);
    return info;
  }

  /**
   * An entry from JSON `{value, reason, expiresAt?}` for `list`, stamped with `author` and the wall
   * clock `nowMs`, checked but not added: a NotFoundError for an unknown list, a ListError naming
   * the field for anything else (an expiry not after `nowMs` is "expired already").
   */
  checkEntry(list: string, input: unknown, author: string, nowMs: number = Date.now()): ListEntry {
    return validateEntry(input, this.state(list).info, author, nowMs);
  }

  /** Adds (or replaces) an entry from JSON (see checkEntry): effective for the very next payment. */
  add(list: string, input: unknown, author: string, nowMs: number = Date.now()): { before: ListEntry | null; after: ListEntry } {
    const entry = this.checkEntry(list, input, author, nowMs);
    const before = this.putEntry(list, entry);
    this.prune(nowMs);
    return { before, after: entry };
  }

  /**
   * Puts a checked or stored entry, replacing any entry of the same value, which it returns. The
   * value must fit the list's kind; the clock is not consulted, so an entry loaded after its expiry
   * simply reads as absent until pruned.
   */
  putEntry(list: string, entry: ListEntry): ListEntry | null {
    const s = this.state(list);
    validateValue(entry.value, s.info.kind, list);
    const before = s.entries.get(entry.value) ?? null;
    if (before === null) this.total++;
    s.entries.set(entry.value, entry);
    if (HASHED_RE.test(entry.value)) this.hashedLists.add(list);
    if (entry.expiresAt !== null && entry.expiresAt < this.nextExpiry) this.nextExpiry = entry.expiresAt;
    return before;
  }

  /** Removes `value` from `list` (a NotFoundError when it is not there); effective for the very next payment. */
  remove(list: string, value: string): ListEntry {
    const s = this.state(list);
    const e = s.entries.get(value);
    if (e === undefined) throw new NotFoundError(`'${value}' is not on list '${list}'`);
    s.entries.delete(value);
    this.total--;
    return e;
  }

  /** Drops every entry expired at `nowMs` (wall clock); cheap when nothing can have expired yet. Returns how many. */
  prune(nowMs: number = Date.now()): number {
    if (nowMs < this.nextExpiry) return 0;
    let dropped = 0;
    let next = Infinity;
    for (const s of this.byName.values()) {
      for (const [value, e] of s.entries) {
        if (e.expiresAt === null) continue;
        if (e.expiresAt <= nowMs) {
          s.entries.delete(value);
          dropped++;
        } else if (e.expiresAt < next) next = e.expiresAt;
      }
    }
    this.total -= dropped;
    this.nextExpiry = next;
    return dropped;
  }

  /**
   * Takes every list and entry of `other` in place of its own, at once (a reload from the store
   * after another writer changed it); decisions see either the old lists or the new, never a mix.
   */
  replaceWith(other: ListSet): void {
    if (other === this) return;
    this.byName.clear();
    for (const [name, s] of other.byName) this.byName.set(name, { info: s.info, entries: new Map(s.entries) });
    for (const name of other.hashedLists) this.hashedLists.add(name);
    this.total = other.total;
    this.nextExpiry = other.nextExpiry;
  }

  /**
   * Problems of a policy's list uses against these lists: a list that does not exist (the rule can
   * never fire) or a list of another kind than the value looked up (`in_list(device, "block_accounts")`).
   */
  problems(uses: readonly ListUse[]): string[] {
    const out: string[] = [];
    for (const u of uses) {
      const where = `${u.file}:${u.line}`;
      const s = this.byName.get(u.list);
      if (s === undefined) out.push(`${where}: list '${u.list}' does not exist, so in_list() on it is never true`);
      else if (u.feature !== null && !kindAccepts(s.info.kind, u.feature)) {
        out.push(`${where}: list '${u.list}' holds ${s.info.kind} values, but the rule looks up '${u.feature}'`);
      }
    }
    return out;
  }

  private state(name: string): ListState {
    const s = this.byName.get(name);
    if (s === undefined) {
      const names = [...this.byName.keys()].sort().join(', ');
      throw new NotFoundError(`list '${name}' does not exist${names ? `; lists: ${names}` : ''}`);
    }
    return s;
  }
}

/** A page size within 1..MAX_PAGE (default DEFAULT_PAGE), or a ListError. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ListError('limit', `a whole number from 1 to ${MAX_PAGE}`);
  return limit;
}

/** A list definition as the default lists hold it, for stores seeding their tables. */
export function defaultListInfos(createdAt: number): ListInfo[] {
  return DEFAULT_LISTS.map((d: ListDef) => ({ ...d, createdBy: SYSTEM_AUTHOR, createdAt, builtin: true }));
}
