/**
 * Alerts on the data folder's SQLite file, on the store's own connection so an alert and its audit
 * entry commit together. Rows are never deleted: an acknowledgement closes one.
 */
import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { Alert, AlertStore } from '../../alerts/store.js';
import type { AlertMetric, RaisedAlert } from '../../alerts/monitor.js';

const DDL = `
CREATE TABLE IF NOT EXISTS alerts (
  id        INTEGER PRIMARY KEY,
  metric    TEXT    NOT NULL,
  subject   TEXT,
  hour      INTEGER NOT NULL,
  observed  REAL    NOT NULL,
  expected  REAL    NOT NULL,
  bound     REAL    NOT NULL,
  count     INTEGER NOT NULL,
  message   TEXT    NOT NULL,
  raised_at INTEGER NOT NULL,
  acked_at  INTEGER,
  acked_by  TEXT,
  ack_note  TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (id) WHERE acked_at IS NULL;
`;

interface Row {
  id: number;
  metric: string;
  subject: string | null;
  hour: number;
  observed: number;
  expected: number;
  bound: number;
  count: number;
  message: string;
  raised_at: number;
  acked_at: number | null;
  acked_by: string | null;
  ack_note: string | null;
}

function toAlert(r: Row): Alert {
  return {
    id: r.id,
    metric: r.metric as AlertMetric,
    subject: r.subject,
    hour: r.hour,
    observed: r.observed,
    expected: r.expected,
    bound: r.bound,
    count: r.count,
    message: r.message,
    raisedAt: r.raised_at,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
    ackNote: r.ack_note,
  };
}

/** AlertStore on an open, writable connection. */
export class SqliteAlertStore implements AlertStore {
  private readonly insert: Statement<[string, string | null, number, number, number, number, number, string, number]>;
  private readonly byId: Statement<[number], Row>;
  private readonly markAcked: Statement<[number, string, string | null, number]>;
  private readonly countOpen: Statement<[], { n: number }>;
  private readonly raisedFor: Statement<{ metric: string; subject: string | null; hour: number }>;
  private readonly page: Statement<[{ open: number; limit: number }], Row>;

  constructor(db: Database) {
    try {
      db.exec(DDL);
    } catch (e) {
      throw new StoreError(`cannot create the alerts table: ${(e as Error).message}`, { cause: e });
    }
    this.insert = db.prepare('INSERT INTO alerts (metric, subject, hour, observed, expected, bound, count, message, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.byId = db.prepare('SELECT * FROM alerts WHERE id = ?');
    this.markAcked = db.prepare('UPDATE alerts SET acked_at = ?, acked_by = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL');
    this.countOpen = db.prepare('SELECT count(*) AS n FROM alerts WHERE acked_at IS NULL');
    this.raisedFor = db.prepare('SELECT 1 FROM alerts WHERE metric = @metric AND subject IS @subject AND hour = @hour LIMIT 1');
    this.page = db.prepare('SELECT * FROM alerts WHERE (@open = 0 OR acked_at IS NULL) ORDER BY id DESC LIMIT @limit');
  }

  add(a: RaisedAlert, at: number): Alert {
    const r = this.insert.run(a.metric, a.subject, a.hour, a.observed, a.expected, a.bound, a.count, a.message, at);
    return toAlert(this.byId.get(Number(r.lastInsertRowid))!);
  }

  get(id: number): Alert {
    const r = this.byId.get(id);
    if (r === undefined) throw new NotFoundError(`no alert ${id} (GET /v1/alerts lists them)`);
    return toAlert(r);
  }

  list(q: { open?: boolean; limit?: number }): Alert[] {
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
    return this.page.all({ open: q.open === true ? 1 : 0, limit }).map(toAlert);
  }

  ack(id: number, by: string, note: string | null, at: number): Alert {
    const before = this.get(id);
    if (before.ackedAt !== null) throw new ConflictError(`alert ${id} was acknowledged by ${before.ackedBy} already`);
    this.markAcked.run(at, by, note, id);
    return toAlert(this.byId.get(id)!);
  }

  /** True when an alert of `metric` about `subject` for `hour` was raised already (raising is once per hour). */
  raised(metric: AlertMetric, subject: string | null, hour: number): boolean {
    return this.raisedFor.get({ metric, subject, hour }) !== undefined;
  }

  openCount(): number {
    return this.countOpen.get()?.n ?? 0;
  }
}
