/**
 * Backtest runs requested over HTTP (`POST /v1/policies/{version}/backtests`), kept on the data
 * folder's SQLite file so their reports survive restarts: what was asked, by whom, where the run
 * stands, and when done the full report. The table is created with IF NOT EXISTS on the store's
 * writable connection, like the other sibling adapters; the journal's tables are never touched.
 */
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import type { BacktestReport } from '../../policy/backtest-report.js';
import {
  summarize,
  type BacktestFailure,
  type BacktestParams,
  type BacktestRun,
  type BacktestState,
  type BacktestStore,
  type BacktestSummary,
} from '../../policy/backtest-store.js';

const DDL = `
CREATE TABLE IF NOT EXISTS policy_backtests (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  version      INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  params       TEXT    NOT NULL,
  requested_by TEXT    NOT NULL,
  requested_at INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  error        TEXT,
  summary      TEXT,
  report       TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS policy_backtests_version ON policy_backtests (version, id);
`;

interface Row {
  id: number;
  version: number;
  state: string;
  params: string;
  requested_by: string;
  requested_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  summary: string | null;
}

const COLUMNS = 'id, version, state, params, requested_by, requested_at, started_at, finished_at, error, summary';

function toRun(r: Row): BacktestRun {
  return {
    id: r.id,
    version: r.version,
    state: r.state as BacktestState,
    params: JSON.parse(r.params) as BacktestParams,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error === null ? null : (JSON.parse(r.error) as BacktestFailure),
    summary: r.summary === null ? null : (JSON.parse(r.summary) as BacktestSummary),
  };
}

/** BacktestStore<'sync'> on the store's connection: answers at once, as the server's routes need. */
export class SqliteBacktestStore implements BacktestStore<'sync'> {
  private readonly insert: Statement<[number, string, string, number]>;
  private readonly selectOne: Statement<[number], Row>;
  private readonly selectReport: Statement<[number], { report: string | null }>;
  private readonly selectPage: Statement<[number, number, number], Row>;
  private readonly toRunning: Statement<[number, number]>;
  private readonly toDone: Statement<[number, string, string, number]>;
  private readonly toEnded: Statement<[string, number, string, number]>;
  private readonly endOpen: Statement<[string, number, string]>;

  /** Creates the table when missing; needs a writable connection. */
  constructor(db: Database) {
    try {
      db.exec(DDL);
    } catch (e) {
      throw new StoreError(`cannot create the backtest table: ${(e as Error).message}`, { cause: e });
    }
    this.insert = db.prepare("INSERT INTO policy_backtests (version, state, params, requested_by, requested_at) VALUES (?, 'queued', ?, ?, ?)");
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM policy_backtests WHERE id = ?`);
    this.selectReport = db.prepare('SELECT report FROM policy_backtests WHERE id = ?');
    this.selectPage = db.prepare(`SELECT ${COLUMNS} FROM policy_backtests WHERE version = ? AND id < ? ORDER BY id DESC LIMIT ?`);
    this.toRunning = db.prepare("UPDATE policy_backtests SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'");
    this.toDone = db.prepare("UPDATE policy_backtests SET state = 'done', finished_at = ?, summary = ?, report = ? WHERE id = ? AND state = 'running'");
    this.toEnded = db.prepare(
      "UPDATE policy_backtests SET state = ?, finished_at = ?, error = ? WHERE id = ? AND state IN ('queued', 'running')",
    );
    this.endOpen = db.prepare("UPDATE policy_backtests SET state = ?, finished_at = ?, error = ? WHERE state IN ('queued', 'running')");
  }

  /** Records a new run, `queued`. */
  create(version: number, params: BacktestParams, requestedBy: string): BacktestRun {
    return this.write(() => {
      const r = this.insert.run(version, JSON.stringify(params), requestedBy, Date.now());
      return this.get(Number(r.lastInsertRowid))!;
    });
  }

  /** One run, if it exists. */
  get(id: number): BacktestRun | undefined {
    const r = this.selectOne.get(id);
    return r === undefined ? undefined : toRun(r);
  }

  /** The report of a finished run; null while it has none. */
  report(id: number): BacktestReport | null {
    const r = this.selectReport.get(id);
    return r === undefined || r.report === null ? null : (JSON.parse(r.report) as BacktestReport);
  }

  /** A version's runs, newest first, below `before`, at most `limit`. */
  list(version: number, page: { before?: number | undefined; limit?: number | undefined } = {}): BacktestRun[] {
    return this.selectPage.all(version, page.before ?? Number.MAX_SAFE_INTEGER, page.limit ?? 100).map(toRun);
  }

  /** queued → running. */
  start(id: number): void {
    this.write(() => this.toRunning.run(Date.now(), id));
  }

  /** running → done, with its report. */
  finish(id: number, report: BacktestReport): void {
    this.write(() => this.toDone.run(Date.now(), JSON.stringify(summarize(report)), JSON.stringify(report), id));
  }

  /** queued or running → failed or cancelled, with why. */
  end(id: number, state: 'failed' | 'cancelled', why: BacktestFailure): void {
    this.write(() => this.toEnded.run(state, Date.now(), JSON.stringify(why), id));
  }

  /** Every run still queued or running → cancelled (at start: a previous process stopped; at close). Returns how many. */
  cancelOpen(message: string): number {
    return this.write(() => this.endOpen.run('cancelled', Date.now(), JSON.stringify({ message, code: null })).changes);
  }

  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new StoreError(`backtest store: ${(e as Error).message}`, { cause: e });
    }
  }
}
