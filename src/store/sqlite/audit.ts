/**
 * The audit log on the data folder's SQLite file. Append-only is enforced by the file itself:
 * triggers abort any UPDATE or DELETE, so even a tool opening the file directly cannot rewrite
 * history without dropping the triggers first — and if it does, the hash chain (prev_hash, hash;
 * src/audit/chain.ts) shows where. A file from before the chain gains the two columns on its first
 * writable open: the existing rows are hashed in seq order once, in one transaction, and the step
 * is itself recorded as an entry (`audit.chain.init`, actor `system`).
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import { entryHash, GENESIS_HASH } from '../../audit/chain.js';
import { AUDIT_MAX_PAGE, type AuditEntry, type AuditHead, type AuditLog, type AuditQuery, type AuditRecord, storedSnapshot } from '../../audit/log.js';

const DDL = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq    INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT    NOT NULL,
  action TEXT    NOT NULL,
  target TEXT    NOT NULL,
  before TEXT,
  after  TEXT,
  prev_hash TEXT,
  hash   TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
`;

const TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

interface Row {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** The columns of a Row; a read-only reader of a file from before the chain reads the hashes as NULL. */
const COLUMNS = 'seq, at, actor, action, target, before, after, prev_hash, hash';
const COLUMNS_NO_CHAIN = 'seq, at, actor, action, target, before, after, NULL AS prev_hash, NULL AS hash';


function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: storedSnapshot(r.seq, 'before', r.before),
    after: storedSnapshot(r.seq, 'after', r.after),
    prevHash: r.prev_hash ?? '',
    hash: r.hash ?? '',
  };
}

/** Whether the audit_log table of `db` has the chain's columns. */
function hasChain(db: Database): boolean {
  const cols = db.prepare("SELECT name FROM pragma_table_info('audit_log')").all() as { name: string }[];
  return cols.some((c) => c.name === 'hash');
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** Escapes LIKE wildcards so a prefix filter matches literally. */
function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/** The whole chain computed from the rows (a read-only reader of a file from before the chain). */
function chainOf(db: Database): Map<number, { prevHash: string; hash: string }> {
  const out = new Map<number, { prevHash: string; hash: string }>();
  let prev = GENESIS_HASH;
  for (const r of db.prepare(`SELECT ${COLUMNS_NO_CHAIN} FROM audit_log ORDER BY seq`).iterate() as IterableIterator<Row>) {
    const hash = entryHash({ ...toEntry(r), prevHash: prev });
    out.set(r.seq, { prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

/**
 * Hashes the rows of a file from before the chain, in seq order, and records that it did: in one
 * IMMEDIATE transaction with the update trigger lifted, so either every row is chained or none.
 */
function addChain(db: Database, now: number): void {
  db.transaction(() => {
    if (hasChain(db)) return; // another connection did it between our look and our lock
    db.exec('ALTER TABLE audit_log ADD COLUMN prev_hash TEXT; ALTER TABLE audit_log ADD COLUMN hash TEXT; DROP TRIGGER IF EXISTS audit_log_no_update;');
    const set = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
    let prev = GENESIS_HASH;
    let last = 0;
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq`).all() as Row[];
    for (const r of rows) {
      const hash = entryHash({ ...toEntry(r), prevHash: prev });
      set.run(prev, hash, r.seq);
      prev = hash;
      last = r.seq;
    }
    const rec = { seq: last + 1, at: now, actor: 'system', action: 'audit.chain.init', target: 'audit', before: null, after: { chainedEntries: rows.length } };
    const hash = entryHash({ ...rec, prevHash: prev });
    db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      rec.seq, rec.at, rec.actor, rec.action, rec.target, null, JSON.stringify(rec.after), prev, hash,
    );
    db.exec(TRIGGERS);
  }).immediate();
}

/** AuditLog on an open better-sqlite3 database (the store's own connection). */
export class SqliteAuditLog implements AuditLog<'sync'> {
  private appendTx: Transaction<(record: AuditRecord, at: number) => AuditEntry> | null = null;
  private insert: Statement<[number, number, string, string, string, string | null, string | null, string, string]> | null = null;
  private selectHead: Statement<[], { seq: number; hash: string | null }> | null = null;
  /** False only for a read-only reader of a file from before the chain: hashes are computed, not read. */
  private readonly stored: boolean;
  private exists = false;

  /**
   * Creates the table on a writable connection (or adds the chain to an older one); a read-only one
   * (a backtest's) can only read.
   */
  constructor(private readonly db: Database) {
    if (db.readonly) {
      this.stored = !this.tableExists() || hasChain(db);
      return;
    }
    try {
      db.exec(DDL);
      if (!hasChain(db)) addChain(db, Date.now());
      db.exec(TRIGGERS);
    } catch (e) {
      throw new StoreError(`cannot create the audit log: ${(e as Error).message}`, { cause: e });
    }
    this.stored = true;
    this.exists = true;
  }

  append(record: AuditRecord): AuditEntry {
    const at = Date.now();
    try {
      this.appendTx ??= this.db.transaction((r: AuditRecord, t: number): AuditEntry => {
        const head = this.head();
        const before = json(r.before);
        const after = json(r.after);
        const entry = {
          seq: head.seq + 1,
          at: t,
          actor: r.actor,
          action: r.action,
          target: r.target,
          // as a read gives them back: what JSON keeps of them
          before: before === null ? null : (JSON.parse(before) as unknown),
          after: after === null ? null : (JSON.parse(after) as unknown),
          prevHash: head.hash,
        };
        const hash = entryHash(entry);
        this.insert ??= this.db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        this.insert.run(entry.seq, t, r.actor, r.action, r.target, before, after, entry.prevHash, hash);
        return { ...entry, hash };
      });
      // IMMEDIATE: the head read and the insert under one write lock, whoever else appends
      return this.appendTx.immediate(record, at);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot append to the audit log: ${(e as Error).message}`, { cause: e });
    }
  }

  head(): AuditHead {
    if (!this.tableExists()) return { seq: 0, hash: GENESIS_HASH };
    if (!this.stored) {
      let last: AuditHead = { seq: 0, hash: GENESIS_HASH };
      for (const [seq, c] of chainOf(this.db)) last = { seq, hash: c.hash };
      return last;
    }
    this.selectHead ??= this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const r = this.selectHead.get();
    return r === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: r.seq, hash: r.hash ?? '' };
  }

  forEachEntry(cb: (entry: AuditEntry) => boolean | void): void {
    if (!this.tableExists()) return;
    const chain = this.stored ? null : chainOf(this.db);
    for (const r of this.db.prepare(`SELECT ${this.stored ? COLUMNS : COLUMNS_NO_CHAIN} FROM audit_log ORDER BY seq`).iterate() as IterableIterator<Row>) {
      const e = toEntry(r);
      const c = chain?.get(r.seq);
      if (cb(c === undefined ? e : { ...e, ...c }) === false) break;
    }
  }

  /** True once the table is there: always on a writable connection, checked (until true) on a read-only one. */
  private tableExists(): boolean {
    if (this.exists) return true;
    this.exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
    return this.exists;
  }

  list(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.actor !== undefined) {
      where.push('actor = ?');
      args.push(q.actor);
    }
    if (q.action !== undefined) {
      if (q.action.endsWith('.')) {
        where.push("action LIKE ? ESCAPE '\\'");
        args.push(likePrefix(q.action));
      } else {
        where.push('action = ?');
        args.push(q.action);
      }
    }
    if (q.target !== undefined) {
      if (q.target.endsWith('/')) {
        where.push("target LIKE ? ESCAPE '\\'");
        args.push(likePrefix(q.target));
      } else {
        where.push('target = ?');
        args.push(q.target);
      }
    }
    if (q.from !== undefined) {
      where.push('at >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('at < ?');
      args.push(q.to);
    }
    if (q.before !== undefined) {
      where.push('seq < ?');
      args.push(q.before);
    }
    if (q.after !== undefined) {
      where.push('seq > ?');
      args.push(q.after);
    }
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), AUDIT_MAX_PAGE);
    if (!this.tableExists()) return [];
    const sql =
      `SELECT ${this.stored ? COLUMNS : COLUMNS_NO_CHAIN} FROM audit_log` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY seq ${q.after !== undefined ? 'ASC' : 'DESC'} LIMIT ${limit}`;
    const entries = (this.db.prepare(sql).all(...args) as Row[]).map(toEntry);
    if (this.stored) return entries;
    const chain = chainOf(this.db);
    return entries.map((e) => ({ ...e, ...chain.get(e.seq) }));
  }
}
