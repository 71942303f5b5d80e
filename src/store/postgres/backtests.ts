/**
 * Backtest runs on a cluster's PostgreSQL schema, the twin of SQLite's backtests.ts: a run requested
 * on any node, and its report, can be read from every node. Ids are `max + 1` under the cluster's
 * `backtests` advisory lock, so runs are numbered 1, 2, 3, … in request order across nodes, without
 * a gap (a sequence would leave one for every rolled-back insert). Each transition is one guarded
 * `UPDATE … WHERE state …`: PostgreSQL re-checks the guard on the row a concurrent transition just
 * committed, so of a finish and a cancel racing from two nodes exactly one applies and the other
 * changes nothing, as the port promises. Params, error, summary and report are stored as the JSON
 * text SQLite keeps; nothing is sealed, as in SQLite (no free text a person wrote, no journal event).
 */
import { summarize, type BacktestFailure, type BacktestParams, type BacktestRun, type BacktestState, type BacktestStore, type BacktestSummary } from '../../policy/backtest-store.js';
import type { BacktestReport } from '../../policy/backtest-report.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { underLock } from './tx.js';

interface Row {
  /** bigint columns (id, times): the driver hands them over as text. */
  id: string;
  version: number;
  state: string;
  params: string;
  requested_by: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  summary: string | null;
}

const COLUMNS = 'id, version, state, params, requested_by, requested_at, started_at, finished_at, error, summary';
/** The states a run can still leave for failed or cancelled. */
const OPEN = "('queued', 'running')";

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

function toRun(r: Row): BacktestRun {
  return {
    id: Number(r.id),
    version: r.version,
    state: r.state as BacktestState,
    params: JSON.parse(r.params) as BacktestParams,
    requestedBy: r.requested_by,
    requestedAt: Number(r.requested_at),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    error: r.error === null ? null : (JSON.parse(r.error) as BacktestFailure),
    summary: r.summary === null ? null : (JSON.parse(r.summary) as BacktestSummary),
  };
}

/** BacktestStore<'async'> on a cluster's pool; see the module comment. */
export class PgBacktestStore implements BacktestStore<'async'> {
  /** A store on a migrated cluster (see `open`). */
  constructor(private readonly pg: PgCluster) {}

  /**
   * The backtest store of cluster `pg`, schema migrated. No Crypt: a run holds nothing SQLite seals
   * (as PgKeyStore.open, which takes none either).
   */
  static async open(pg: PgCluster): Promise<PgBacktestStore> {
    await migrate(pg);
    return new PgBacktestStore(pg);
  }

  create(version: number, params: BacktestParams, requestedBy: string): Promise<BacktestRun> {
    return asStoreError(this.pg, 'record a backtest', () => underLock(this.pg.pool, this.pg.schema, 'backtests', async (c) => {
      const r = await c.query<Row>(
        `INSERT INTO policy_backtests (id, version, state, params, requested_by, requested_at)
         SELECT coalesce(max(id), 0) + 1, $1, 'queued', $2, $3, $4 FROM policy_backtests RETURNING ${COLUMNS}`,
        [version, JSON.stringify(params), requestedBy, Date.now()],
      );
      return toRun(r.rows[0]!);
    }));
  }

  get(id: number): Promise<BacktestRun | undefined> {
    return this.read(async () => {
      const r = (await this.pg.pool.query<Row>(`SELECT ${COLUMNS} FROM policy_backtests WHERE id = $1::bigint`, [id])).rows[0];
      return r === undefined ? undefined : toRun(r);
    });
  }

  report(id: number): Promise<BacktestReport | null> {
    return this.read(async () => {
      const r = (await this.pg.pool.query<{ report: string | null }>('SELECT report FROM policy_backtests WHERE id = $1::bigint', [id])).rows[0];
      return r === undefined || r.report === null ? null : (JSON.parse(r.report) as BacktestReport);
    });
  }

  list(version: number, page: { before?: number | undefined; limit?: number | undefined } = {}): Promise<BacktestRun[]> {
    return this.read(async () => (await this.pg.pool.query<Row>(
      `SELECT ${COLUMNS} FROM policy_backtests WHERE version = $1::bigint AND id < $2::bigint ORDER BY id DESC LIMIT $3`,
      [version, page.before ?? Number.MAX_SAFE_INTEGER, page.limit ?? 100],
    )).rows.map(toRun));
  }

  async start(id: number): Promise<void> {
    await this.write("UPDATE policy_backtests SET state = 'running', started_at = $1 WHERE id = $2::bigint AND state = 'queued'", [Date.now(), id]);
  }

  async finish(id: number, report: BacktestReport): Promise<void> {
    await this.write("UPDATE policy_backtests SET state = 'done', finished_at = $1, summary = $2, report = $3 WHERE id = $4::bigint AND state = 'running'", [
      Date.now(), JSON.stringify(summarize(report)), JSON.stringify(report), id,
    ]);
  }

  async end(id: number, state: 'failed' | 'cancelled', why: BacktestFailure): Promise<void> {
    await this.write(`UPDATE policy_backtests SET state = $1, finished_at = $2, error = $3 WHERE id = $4::bigint AND state IN ${OPEN}`, [
      state, Date.now(), JSON.stringify(why), id,
    ]);
  }

  cancelOpen(message: string): Promise<number> {
    return this.write(`UPDATE policy_backtests SET state = 'cancelled', finished_at = $1, error = $2 WHERE state IN ${OPEN}`, [
      Date.now(), JSON.stringify({ message, code: null }),
    ]);
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return asStoreError(this.pg, 'read backtests', fn);
  }

  /** One guarded UPDATE (its own transaction); how many rows it changed. */
  private write(sql: string, args: unknown[]): Promise<number> {
    return asStoreError(this.pg, 'record a backtest\'s state', async () => (await this.pg.pool.query(sql, args)).rowCount ?? 0);
  }
}
