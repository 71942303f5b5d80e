/**
 * The list store on the data folder's SQLite file (tables in schema.ts, LISTS_DDL). One IMMEDIATE
 * transaction per change, with the `onChange` hook (the audit log) inside it: the change and its
 * audit record commit together or not at all. The hook must write through this same connection
 * (e.g. a SqliteAuditLog built on `database`): another connection would wait for this one's lock.
 */
import { mkdirSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, FengkongError, NotFoundError, StoreError } from '../../errors.js';
import { defaultListInfos, pageLimit, type ListSet } from '../../lists/list-set.js';
import { listTarget, type EntryPage, type ListChange, type ListEntry, type ListInfo, type ListKind, type ListPurpose, type PageRequest } from '../../lists/types.js';
import type { ListChangeHook, ListStore, ListSummary } from '../../lists/store.js';
import { configure, LISTS_DDL, migrate } from './schema.js';
import { dbPath } from './sqlite-store.js';
import { attachCrypt, cryptOf, type Crypt } from './crypt.js';

interface ListRow {
  name: string;
  kind: string;
  purpose: string;
  description: string;
  created_by: string;
  created_at: number;
  builtin: number;
  entries: number;
}

interface EntryRow {
  value: string;
  /** The clear value sealed, for lists of a kind stored by token (device, ip); null otherwise. */
  sealed: string | null;
  reason: string;
  author: string;
  added_at: number;
  expires_at: number | null;
}

const LIST_COLUMNS = `name, kind, purpose, description, created_by, created_at, builtin,
  (SELECT count(*) FROM list_entries e WHERE e.list = l.name) AS entries`;
const ENTRY_COLUMNS = 'value, sealed, reason, author, added_at, expires_at';

/** List kinds whose values are personal (issue 13): stored as a keyed token, the clear value sealed beside it. */
const TOKEN_KINDS: ReadonlySet<string> = new Set(['device', 'ip']);
/** Below every epoch ms: "no time filter". */
const NO_TIME = Number.MIN_SAFE_INTEGER;

function toSummary(r: ListRow): ListSummary {
  return {
    name: r.name,
    kind: r.kind as ListKind,
    purpose: r.purpose as ListPurpose,
    description: r.description,
    createdBy: r.created_by,
    createdAt: r.created_at,
    builtin: r.builtin === 1,
    entries: r.entries,
  };
}

function toInfo(r: ListRow): ListInfo {
  const { entries: _entries, ...info } = toSummary(r);
  return info;
}

function toEntry(r: EntryRow, c: Crypt): ListEntry {
  return { value: r.sealed !== null ? c.openText(r.sealed) : r.value, reason: r.reason, author: r.author, addedAt: r.added_at, expiresAt: r.expires_at };
}

/** ListStore on a better-sqlite3 connection. */
export class SqliteListStore implements ListStore<'sync'> {
  /** The connection, for an audit log that must commit with the changes. */
  readonly database: Database;
  private readonly owned: boolean;
  private readonly onChange: ListChangeHook | undefined;
  private readonly selectLists: Statement<[], ListRow>;
  private readonly selectList: Statement<[string], ListRow>;
  private readonly insertList: Statement<[string, string, string, string, string, number, number]>;
  private readonly deleteListRow: Statement<[string]>;
  private readonly selectEntry: Statement<[string, string], EntryRow>;
  private readonly selectEntries: Statement<[string, string, number, number], EntryRow>;
  private readonly selectAllEntries: Statement<[number], EntryRow & { list: string }>;
  private readonly upsertEntry: Statement<[string, string, string | null, string, string, number, number | null]>;
  private readonly deleteEntry: Statement<[string, string]>;
  private readonly deleteExpired: Statement<[number]>;
  private readonly bumpVersion: Statement<[]>;
  private readonly selectVersion: Statement<[], { version: number }>;
  private readonly crypt: Crypt;
  private readonly kindOf: Statement<[string], { kind: string }>;

  /**
   * Opens the list store of a data folder on its own connection (creating folder and file when
   * missing); `close()` closes that connection.
   */
  static open(dataDir: string, options: { onChange?: ListChangeHook; readonly?: boolean } = {}): SqliteListStore {
    const file = dbPath(dataDir);
    const readonly = options.readonly === true;
    let db: Database;
    try {
      if (!readonly) mkdirSync(dataDir, { recursive: true });
      db = new BetterSqlite3(file, { timeout: 5000, readonly, fileMustExist: readonly });
      if (!readonly) configure(db);
      migrate(db, file);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot open ${file}: ${(e as Error).message}`, { cause: e });
    }
    try {
      attachCrypt(dataDir, db, readonly);
    } catch (e) {
      db.close();
      throw e;
    }
    return new SqliteListStore(db, { ...options, owned: true });
  }

  /**
   * The list store on an open connection (the store's own, or one from `open`). A writable
   * connection gets the tables (IF NOT EXISTS) and the default lists (when missing).
   */
  constructor(db: Database, options: { onChange?: ListChangeHook; owned?: boolean; now?: number } = {}) {
    this.database = db;
    this.owned = options.owned === true;
    this.onChange = options.onChange;
    this.crypt = cryptOf(db);
    try {
      if (!db.readonly) {
        db.exec(LISTS_DDL);
        const cols = db.prepare("SELECT name FROM pragma_table_info('list_entries')").all() as { name: string }[];
        if (!cols.some((c) => c.name === 'sealed')) db.exec('ALTER TABLE list_entries ADD COLUMN sealed TEXT');
        const seed = db.prepare(
          'INSERT OR IGNORE INTO lists (name, kind, purpose, description, created_by, created_at, builtin) VALUES (?, ?, ?, ?, ?, ?, 1)',
        );
        db.transaction(() => {
          for (const d of defaultListInfos(options.now ?? Date.now())) seed.run(d.name, d.kind, d.purpose, d.description, d.createdBy, d.createdAt);
        }).immediate();
      }
      this.kindOf = db.prepare('SELECT kind FROM lists WHERE name = ?');
      this.selectLists = db.prepare(`SELECT ${LIST_COLUMNS} FROM lists l ORDER BY name`);
      this.selectList = db.prepare(`SELECT ${LIST_COLUMNS} FROM lists l WHERE name = ?`);
      this.insertList = db.prepare(
        'INSERT INTO lists (name, kind, purpose, description, created_by, created_at, builtin) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      this.deleteListRow = db.prepare('DELETE FROM lists WHERE name = ?');
      this.selectEntry = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM list_entries WHERE list = ? AND value = ?`);
      this.selectEntries = db.prepare(
        `SELECT ${ENTRY_COLUMNS} FROM list_entries WHERE list = ? AND value > ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY value LIMIT ?`,
      );
      this.selectAllEntries = db.prepare(
        `SELECT list, ${ENTRY_COLUMNS} FROM list_entries WHERE expires_at IS NULL OR expires_at > ? ORDER BY list, value`,
      );
      this.upsertEntry = db.prepare(
        `INSERT INTO list_entries (list, value, sealed, reason, author, added_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (list, value) DO UPDATE SET sealed = excluded.sealed, reason = excluded.reason, author = excluded.author,
           added_at = excluded.added_at, expires_at = excluded.expires_at`,
      );
      this.deleteEntry = db.prepare('DELETE FROM list_entries WHERE list = ? AND value = ?');
      this.deleteExpired = db.prepare('DELETE FROM list_entries WHERE expires_at IS NOT NULL AND expires_at <= ?');
      this.bumpVersion = db.prepare('UPDATE lists_version SET version = version + 1 WHERE id = 1');
      this.selectVersion = db.prepare('SELECT version FROM lists_version WHERE id = 1');
      if (!db.readonly) this.sealLegacyEntries();
    } catch (e) {
      throw new StoreError(`cannot open the list tables: ${(e as Error).message}`, { cause: e });
    }
  }

  createList(info: ListInfo, actor: string): ListChange {
    return this.change(() => {
      if (this.selectList.get(info.name) !== undefined) throw new ConflictError(`list '${info.name}' exists already`);
      this.insertList.run(info.name, info.kind, info.purpose, info.description, info.createdBy, info.createdAt, info.builtin ? 1 : 0);
      return { actor, action: 'list.create', target: listTarget(info.name), before: null, after: info };
    });
  }

  deleteList(name: string, actor: string): ListChange {
    return this.change(() => {
      const before = this.requireList(name);
      if (before.builtin) throw new ConflictError(`list '${name}' is a default list and cannot be deleted`);
      this.deleteListRow.run(name);
      return { actor, action: 'list.delete', target: listTarget(name), before, after: null };
    });
  }

  putEntry(list: string, entry: ListEntry, actor: string): ListChange {
    return this.change(() => {
      this.requireList(list);
      const key = this.stored(list, entry.value);
      const old = this.selectEntry.get(list, key);
      this.upsertEntry.run(list, key, key === entry.value ? null : this.crypt.sealText(entry.value), entry.reason, entry.author, entry.addedAt, entry.expiresAt);
      return { actor, action: 'list.entry.add', target: listTarget(list, entry.value), before: old === undefined ? null : toEntry(old, this.crypt), after: entry };
    });
  }

  removeEntry(list: string, value: string, actor: string): ListChange {
    return this.change(() => {
      this.requireList(list);
      const key = this.stored(list, value);
      const old = this.selectEntry.get(list, key);
      if (old === undefined) throw new NotFoundError(`'${value}' is not on list '${list}'`);
      this.deleteEntry.run(list, key);
      return { actor, action: 'list.entry.remove', target: listTarget(list, value), before: toEntry(old, this.crypt), after: null };
    });
  }

  lists(): ListSummary[] {
    return this.read(() => this.selectLists.all().map(toSummary));
  }

  list(name: string): ListSummary | undefined {
    return this.read(() => {
      const r = this.selectList.get(name);
      return r === undefined ? undefined : toSummary(r);
    });
  }

  entries(list: string, page: PageRequest = {}, nowMs?: number): EntryPage {
    const limit = pageLimit(page.limit);
    return this.read(() => {
      this.requireList(list);
      const after = page.after ?? '';
      let entries: ListEntry[];
      let more: boolean;
      if (this.stored(list, '') !== '') {
        // stored by token: SQL cannot order by the clear value, so the list is opened and paged here
        const all = this.selectEntries.all(list, '', nowMs ?? NO_TIME, -1).map((r) => toEntry(r, this.crypt));
        const rest = all.filter((e) => e.value > after).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
        entries = rest.slice(0, limit);
        more = rest.length > limit;
      } else {
        const rows = this.selectEntries.all(list, after, nowMs ?? NO_TIME, limit + 1);
        entries = rows.slice(0, limit).map((r) => toEntry(r, this.crypt));
        more = rows.length > limit;
      }
      return { entries, next: more ? entries[entries.length - 1].value : null };
    });
  }

  /** Not a change anyone made: no hook, no version bump (every reader drops expired entries by itself). */
  purgeExpired(nowMs: number): number {
    try {
      return this.deleteExpired.run(nowMs).changes;
    } catch (e) {
      throw new StoreError(`cannot purge expired list entries: ${(e as Error).message}`, { cause: e });
    }
  }

  loadInto(set: ListSet, nowMs: number = Date.now()): number {
    return this.read(() => {
      // one read transaction: lists and entries from the same snapshot
      return this.database.transaction(() => {
        for (const r of this.selectLists.all()) set.putList(toInfo(r));
        let n = 0;
        for (const r of this.selectAllEntries.iterate(nowMs)) {
          set.putEntry(r.list, toEntry(r, this.crypt));
          n++;
        }
        return n;
      }).deferred();
    });
  }

  version(): number {
    return this.read(() => this.selectVersion.get()?.version ?? 0);
  }

  close(): void {
    if (this.owned && this.database.open) this.database.close();
  }

  /** The value as stored: a keyed token for device and ip lists when sealing is on, else the value. */
  private stored(list: string, value: string): string {
    if (!this.crypt.sealing) return value;
    const kind = this.kindOf.get(list)?.kind;
    return kind !== undefined && TOKEN_KINDS.has(kind) ? this.crypt.token(kind, value) : value;
  }

  /**
   * The change as the hook (the audit log) records it: for a device or ip list, the target and the
   * entries name the token and carry the value sealed, so the audit rows hold no clear value.
   */
  private forAudit(c: ListChange): ListChange {
    const parts = c.target.split('/');
    if (parts.length < 3 || !this.crypt.sealing) return c;
    const list = parts[1];
    const value = parts.slice(2).join('/');
    const key = this.stored(list, value);
    if (key === value) return c;
    const seal = (e: ListInfo | ListEntry | null): ListInfo | ListEntry | null =>
      e !== null && 'value' in e ? ({ ...e, value: key, sealedValue: this.crypt.sealText(e.value) } as ListEntry) : e;
    return { ...c, target: listTarget(list, key), before: seal(c.before), after: seal(c.after) };
  }

  /** Device and ip entries written in clear by an older version: stored again by token, value sealed. */
  private sealLegacyEntries(): void {
    if (!this.crypt.sealing) return;
    const rows = this.database.prepare(
      `SELECT e.list, e.value FROM list_entries e JOIN lists l ON l.name = e.list WHERE e.sealed IS NULL AND l.kind IN ('device', 'ip')`,
    ).all() as { list: string; value: string }[];
    if (rows.length === 0) return;
    const rekey = this.database.prepare('UPDATE list_entries SET value = ?, sealed = ? WHERE list = ? AND value = ?');
    this.database.transaction(() => {
      for (const r of rows) rekey.run(this.stored(r.list, r.value), this.crypt.sealText(r.value), r.list, r.value);
    }).immediate();
  }

  private requireList(name: string): ListInfo {
    const r = this.selectList.get(name);
    if (r === undefined) throw new NotFoundError(`list '${name}' does not exist`);
    return toInfo(r);
  }

  /** Runs one change and its hook in an IMMEDIATE transaction; the project's errors pass, the driver's become StoreErrors. */
  private change(fn: () => ListChange): ListChange {
    try {
      return this.database
        .transaction(() => {
          const c = fn();
          this.bumpVersion.run();
          this.onChange?.(this.forAudit(c), this.selectVersion.get()?.version ?? 0);
          return c;
        })
        .immediate();
    } catch (e) {
      if (e instanceof FengkongError) throw e;
      throw new StoreError(`list change failed: ${(e as Error).message}`, { cause: e });
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FengkongError) throw e;
      throw new StoreError(`cannot read lists: ${(e as Error).message}`, { cause: e });
    }
  }
}
