/**
 * Reports the scheduler made and keeps (the weekly risk report), on the data folder's SQLite file.
 * One per kind and slot: a slot run again after a crash between the report and the scheduler's
 * cursor stores nothing twice.
 */
import type { Database, Statement } from 'better-sqlite3';

const DDL = `
CREATE TABLE IF NOT EXISTS stored_reports (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL,
  slot         INTEGER NOT NULL,
  period_from  INTEGER NOT NULL,
  period_to    INTEGER NOT NULL,
  generated_at INTEGER NOT NULL,
  body         TEXT    NOT NULL,
  UNIQUE (kind, slot)
) STRICT;
`;

/** A kept report as listed (without its body). */
export interface StoredReportInfo {
  readonly id: number;
  readonly kind: string;
  readonly slot: number;
  readonly from: number;
  readonly to: number;
  readonly generatedAt: number;
}

/** The data folder's kept reports. */
export class SqliteStoredReports {
  private readonly s: { insert: Statement; list: Statement; one: Statement };

  constructor(db: Database) {
    db.exec(DDL);
    this.s = {
      insert: db.prepare('INSERT INTO stored_reports (kind, slot, period_from, period_to, generated_at, body) VALUES (@kind, @slot, @from, @to, @at, @body) ON CONFLICT (kind, slot) DO NOTHING'),
      list: db.prepare('SELECT id, kind, slot, period_from AS "from", period_to AS "to", generated_at AS generatedAt FROM stored_reports ORDER BY id DESC LIMIT @limit'),
      one: db.prepare('SELECT id, kind, slot, period_from AS "from", period_to AS "to", generated_at AS generatedAt, body FROM stored_reports WHERE id = @id'),
    };
  }

  /** Keeps a report (nothing when the kind's slot has one already). */
  add(r: { kind: string; slot: number; from: number; to: number; generatedAt: number; body: unknown }): void {
    this.s.insert.run({ kind: r.kind, slot: r.slot, from: r.from, to: r.to, at: r.generatedAt, body: JSON.stringify(r.body) });
  }

  /** The latest reports, newest first. */
  list(limit: number): StoredReportInfo[] {
    return this.s.list.all({ limit }) as StoredReportInfo[];
  }

  /** One report with its body, or undefined. */
  get(id: number): (StoredReportInfo & { body: unknown }) | undefined {
    const r = this.s.one.get({ id }) as (StoredReportInfo & { body: string }) | undefined;
    return r === undefined ? undefined : { ...r, body: JSON.parse(r.body) as unknown };
  }
}
