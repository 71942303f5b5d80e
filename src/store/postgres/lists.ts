/**
 * The list store on a cluster's PostgreSQL schema, the twin of SQLite's lists.ts: every node reads
 * and changes the same lists. Every entry is kept by its equality token (PgCrypt.token of the list's
 * kind and the value) with the value and the reason sealed beside it, so the table holds no clear
 * value or free text; lookups go by token. One transaction per change: the version row is bumped
 * first (its row lock puts concurrent changes from any node one after the other), then the change,
 * then the hook and the audit record (PgAuditLog.appendIn), so a change and its record commit
 * together or not at all. Paging opens a list's entries and orders them by clear value in memory.
 */
import type { Pool, PoolClient } from 'pg';
import { ConflictError, NotFoundError } from '../../errors.js';
import { defaultListInfos, pageLimit, type ListSet } from '../../lists/list-set.js';
import type { ListChangeHook, ListStore, ListSummary } from '../../lists/store.js';
import { listTarget, type EntryPage, type ListChange, type ListEntry, type ListInfo, type ListKind, type ListPurpose, type PageRequest } from '../../lists/types.js';
import type { PgAuditLog } from './audit.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { inTransaction } from './tx.js';

type Q = Pool | PoolClient;

interface ListRow {
  name: string;
  kind: string;
  purpose: string;
  description: string;
  created_by: string;
  /** bigint columns: the driver hands them over as text. */
  created_at: string;
  builtin: boolean;
  entries: string;
}

interface EntryRow {
  sealed: string;
  reason: string;
  author: string;
  added_at: string;
  expires_at: string | null;
}

const LIST_COLUMNS = 'name, kind, purpose, description, created_by, created_at, builtin, (SELECT count(*) FROM list_entries e WHERE e.list = l.name) AS entries';
const ENTRY_COLUMNS = 'sealed, reason, author, added_at, expires_at';
/** Below every epoch ms: "no time filter". */
const NO_TIME = Number.MIN_SAFE_INTEGER;

function toSummary(r: ListRow): ListSummary {
  return {
    name: r.name,
    kind: r.kind as ListKind,
    purpose: r.purpose as ListPurpose,
    description: r.description,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    builtin: r.builtin,
    entries: Number(r.entries),
  };
}

function toInfo(r: ListRow): ListInfo {
  const { entries: _entries, ...info } = toSummary(r);
  return info;
}

/** Orders clear values as SQLite's BINARY collation orders ASCII ones (UTF-16 code units). */
function byValue(a: ListEntry, b: ListEntry): number {
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** What a PgListStore is opened with: the change hook and the audit log the changes are recorded in. */
export interface PgListOptions {
  /** Called inside each change's transaction with the change (as audited) and the version after it; throwing rolls it back. */
  readonly onChange?: ListChangeHook;
  /** Each change recorded in this log inside its transaction (appendIn). */
  readonly audit?: PgAuditLog;
}

/** ListStore<'async'> on a cluster's pool; see the module comment. */
export class PgListStore implements ListStore<'async'> {
  /** A store on a migrated cluster whose default lists exist (see `open`). */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt, private readonly options: PgListOptions = {}) {}

  /** The list store of cluster `pg`: schema migrated, data keys opened, default lists created when missing (once, whichever node). */
  static async open(pg: PgCluster, opts: PgListOptions & { masterKeyFile?: string; crypt?: PgCrypt; now?: number } = {}): Promise<PgListStore> {
    await migrate(pg);
    const crypt = opts.crypt ?? (await PgCrypt.open(pg, { masterKeyFile: opts.masterKeyFile }));
    const store = new PgListStore(pg, crypt, opts);
    await asStoreError(pg, 'create the default lists', () => inTransaction(pg.pool, async (c) => {
      for (const d of defaultListInfos(opts.now ?? Date.now())) {
        await c.query(
          `INSERT INTO lists (name, kind, purpose, description, created_by, created_at, builtin) VALUES ($1, $2, $3, $4, $5, $6, true)
           ON CONFLICT (name) DO NOTHING`,
          [d.name, d.kind, d.purpose, d.description, d.createdBy, d.createdAt],
        );
      }
    }));
    return store;
  }

  createList(info: ListInfo, actor: string): Promise<ListChange> {
    return this.change(async (c) => {
      if ((await this.findList(c, info.name)) !== undefined) throw new ConflictError(`list '${info.name}' exists already`);
      await c.query('INSERT INTO lists (name, kind, purpose, description, created_by, created_at, builtin) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        info.name, info.kind, info.purpose, info.description, info.createdBy, info.createdAt, info.builtin,
      ]);
      return { actor, action: 'list.create', target: listTarget(info.name), before: null, after: info };
    });
  }

  deleteList(name: string, actor: string): Promise<ListChange> {
    return this.change(async (c) => {
      const before = await this.requireList(c, name);
      if (before.builtin) throw new ConflictError(`list '${name}' is a default list and cannot be deleted`);
      await c.query('DELETE FROM lists WHERE name = $1', [name]);
      return { actor, action: 'list.delete', target: listTarget(name), before, after: null };
    });
  }

  putEntry(list: string, entry: ListEntry, actor: string): Promise<ListChange> {
    return this.change(async (c) => {
      const token = this.crypt.token((await this.requireList(c, list)).kind, entry.value);
      const old = await this.selectEntry(c, list, token);
      await c.query(
        `INSERT INTO list_entries (list, token, sealed, reason, author, added_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (list, token) DO UPDATE SET sealed = excluded.sealed, reason = excluded.reason, author = excluded.author,
           added_at = excluded.added_at, expires_at = excluded.expires_at`,
        [list, token, this.crypt.sealText(entry.value), this.crypt.sealText(entry.reason), entry.author, entry.addedAt, entry.expiresAt],
      );
      return { actor, action: 'list.entry.add', target: listTarget(list, entry.value), before: old ?? null, after: entry };
    });
  }

  removeEntry(list: string, value: string, actor: string): Promise<ListChange> {
    return this.change(async (c) => {
      const token = this.crypt.token((await this.requireList(c, list)).kind, value);
      const old = await this.selectEntry(c, list, token);
      if (old === undefined) throw new NotFoundError(`'${value}' is not on list '${list}'`);
      await c.query('DELETE FROM list_entries WHERE list = $1 AND token = $2', [list, token]);
      return { actor, action: 'list.entry.remove', target: listTarget(list, value), before: old, after: null };
    });
  }

  lists(): Promise<ListSummary[]> {
    return asStoreError(this.pg, 'read lists', async () => (await this.pg.pool.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l ORDER BY name`)).rows.map(toSummary));
  }

  list(name: string): Promise<ListSummary | undefined> {
    return asStoreError(this.pg, 'read lists', async () => {
      const r = (await this.pg.pool.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l WHERE name = $1`, [name])).rows[0];
      return r === undefined ? undefined : toSummary(r);
    });
  }

  entries(list: string, page: PageRequest = {}, nowMs?: number): Promise<EntryPage> {
    const limit = pageLimit(page.limit);
    return asStoreError(this.pg, 'read lists', async () => {
      await this.requireList(this.pg.pool, list);
      const rows = await this.pg.pool.query<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM list_entries WHERE list = $1 AND (expires_at IS NULL OR expires_at > $2)`,
        [list, nowMs ?? NO_TIME],
      );
      const after = page.after ?? '';
      const rest = (await Promise.all(rows.rows.map((r) => this.toEntry(r)))).filter((e) => e.value > after).sort(byValue);
      const entries = rest.slice(0, limit);
      return { entries, next: rest.length > limit ? entries[entries.length - 1].value : null };
    });
  }

  /** Not a change anyone made: no hook, no version bump (every reader drops expired entries by itself). */
  purgeExpired(nowMs: number): Promise<number> {
    return asStoreError(this.pg, 'purge expired list entries', async () =>
      (await this.pg.pool.query('DELETE FROM list_entries WHERE expires_at IS NOT NULL AND expires_at <= $1', [nowMs])).rowCount ?? 0);
  }

  /** Loads every list and the entries not expired at `nowMs`, both from one snapshot (a REPEATABLE READ transaction). */
  loadInto(set: ListSet, nowMs: number = Date.now()): Promise<number> {
    return asStoreError(this.pg, 'read lists', () => inTransaction(this.pg.pool, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const lists = await c.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l ORDER BY name`);
      const rows = await c.query<EntryRow & { list: string }>(
        `SELECT list, ${ENTRY_COLUMNS} FROM list_entries WHERE expires_at IS NULL OR expires_at > $1 ORDER BY list`,
        [nowMs],
      );
      const entries = await Promise.all(rows.rows.map(async (r) => ({ list: r.list, entry: await this.toEntry(r) })));
      for (const r of lists.rows) set.putList(toInfo(r));
      for (const { list, entry } of entries) set.putEntry(list, entry);
      return entries.length;
    }));
  }

  version(): Promise<number> {
    return asStoreError(this.pg, 'read lists', async () => Number((await this.pg.pool.query<{ version: string }>('SELECT version FROM lists_version WHERE id = 1')).rows[0]?.version ?? 0));
  }

  /** Nothing to release: the pool is the cluster's, closed by whoever opened it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async toEntry(r: EntryRow): Promise<ListEntry> {
    return {
      value: await this.crypt.openText(r.sealed),
      reason: await this.crypt.openText(r.reason),
      author: r.author,
      addedAt: Number(r.added_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    };
  }

  private async findList(q: Q, name: string): Promise<ListInfo | undefined> {
    const r = (await q.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l WHERE name = $1`, [name])).rows[0];
    return r === undefined ? undefined : toInfo(r);
  }

  private async requireList(q: Q, name: string): Promise<ListInfo> {
    const info = await this.findList(q, name);
    if (info === undefined) throw new NotFoundError(`list '${name}' does not exist`);
    return info;
  }

  private async selectEntry(q: Q, list: string, token: string): Promise<ListEntry | undefined> {
    const r = (await q.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM list_entries WHERE list = $1 AND token = $2`, [list, token])).rows[0];
    return r === undefined ? undefined : this.toEntry(r);
  }

  /**
   * The change as the hook and the audit log record it: an entry's target names its token, and the
   * entries carry the token as value, the value and the reason sealed, so audit rows hold no clear value.
   */
  private forAudit(c: ListChange, kind: ListKind | undefined): ListChange {
    const parts = c.target.split('/');
    if (parts.length < 3 || kind === undefined) return c;
    const list = parts[1];
    const token = this.crypt.token(kind, parts.slice(2).join('/'));
    const seal = (e: ListInfo | ListEntry | null): ListInfo | ListEntry | null =>
      e !== null && 'value' in e ? ({ ...e, value: token, sealedValue: this.crypt.sealText(e.value), reason: this.crypt.sealText(e.reason) } as ListEntry) : e;
    return { ...c, target: listTarget(list, token), before: seal(c.before), after: seal(c.after) };
  }

  /** One change in one transaction: version bumped (ordering every node's changes), the change, the hook, the audit record. */
  private change(fn: (c: PoolClient) => Promise<ListChange>): Promise<ListChange> {
    return asStoreError(this.pg, 'change lists', () => inTransaction(this.pg.pool, async (c) => {
      const v = await c.query<{ version: string }>('UPDATE lists_version SET version = version + 1 WHERE id = 1 RETURNING version');
      const change = await fn(c);
      const list = change.target.split('/')[1];
      const kind = change.target.split('/').length > 2 ? (await this.findList(c, list))?.kind : undefined;
      const audited = this.forAudit(change, kind);
      this.options.onChange?.(audited, Number(v.rows[0]?.version ?? 0));
      if (this.options.audit !== undefined) await this.options.audit.appendIn(c, audited);
      return change;
    }));
  }

}
