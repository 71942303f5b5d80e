/**
 * The audit log on the data folder's SQLite file. Append-only is enforced by the file itself:
 * triggers abort any UPDATE or DELETE, so even a tool opening the file directly cannot rewrite
 * history without dropping the triggers first.
 */
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import { AUDIT_MAX_PAGE, type AuditEntry, type AuditLog, type AuditQuery, type AuditRecord } from '../../audit/log.js';

const DDL = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq    INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT    NOT NULL,
  action TEXT    NOT NULL,
  target TEXT    NOT NULL,
  before TEXT,
  after  TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
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
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  };
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** Escapes LIKE wildcards so a prefix filter matches literally. */
function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/** AuditLog on an open better-sqlite3 database (the store's own connection). */
export class SqliteAuditLog implements AuditLog {
  private insert: Statement<[number, string, string, string, string | null, string | null]> | null = null;

  /** Creates the table on a writable connection; a read-only one (a backtest's) can only read. */
  constructor(private readonly db: Database) {
    if (db.readonly) return;
    try {
      db.exec(DDL);
    } catch (e) {
      throw new StoreError(`cannot create the audit log: ${(e as Error).message}`, { cause: e });
    }
  }

  append(record: AuditRecord): AuditEntry {
    const at = Date.now();
    try {
      this.insert ??= this.db.prepare('INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)');
      const r = this.insert.run(at, record.actor, record.action, record.target, json(record.before), json(record.after));
      return {
        seq: Number(r.lastInsertRowid),
        at,
        actor: record.actor,
        action: record.action,
        target: record.target,
        before: record.before ?? null,
        after: record.after ?? null,
      };
    } catch (e) {
      throw new StoreError(`cannot append to the audit log: ${(e as Error).message}`, { cause: e });
    }
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
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), AUDIT_MAX_PAGE);
    const sql =
      'SELECT seq, at, actor, action, target, before, after FROM audit_log' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY seq DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toEntry);
  }
}
