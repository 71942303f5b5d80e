/**
 * The backtest store port: backtest runs requested over HTTP and, once done, their reports, kept
 * so that a report survives restarts and can be read again: what was asked, by whom, where the
 * run stands. A run moves queued → running → done, or from queued or running to failed or
 * cancelled; a state it has left is never entered again. Adapters: SqliteBacktestStore
 * (`BacktestStore<'sync'>`), on the data folder's SQLite file; PgBacktestStore
 * (`BacktestStore<'async'>`), on a cluster's PostgreSQL schema.
 */
import type { PolicyDiagnostic } from '../errors.js';
import type { Result, ResultKind } from '../io/result-kind.js';
import type { BacktestReport } from './backtest-report.js';

/** Where a run stands. */
export type BacktestState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What was asked: the event-time range (epoch ms, to exclusive) and the run's knobs (null: default). */
export interface BacktestParams {
  readonly from: number;
  readonly to: number;
  readonly warmUpDays: number | null;
  readonly maxChanged: number | null;
}

/** Why a run failed (or was cancelled). */
export interface BacktestFailure {
  readonly message: string;
  /** the Fengkong error code, when it was one of ours. */
  readonly code: string | null;
  /** a draft that no longer compiles: every diagnostic. */
  readonly diagnostics?: readonly PolicyDiagnostic[];
}

/** The headline figures of a finished run, for listings. */
export interface BacktestSummary {
  readonly transactions: number;
  readonly changed: number;
  readonly fraud: number;
  readonly live: SideSummary;
  readonly draft: SideSummary;
  readonly durationMs: number;
}

/** One side's headline figures. */
export interface SideSummary {
  readonly alertRate: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly fraudCaught: number;
  readonly fraudMissedAmount: number;
  readonly legitimateDeclined: number;
}

/** A run as stored (the report is read separately: it can be large). */
export interface BacktestRun {
  readonly id: number;
  readonly version: number;
  readonly state: BacktestState;
  readonly params: BacktestParams;
  /** key id of the caller. */
  readonly requestedBy: string;
  /** wall-clock epoch ms. */
  readonly requestedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly error: BacktestFailure | null;
  readonly summary: BacktestSummary | null;
}

/** The headline figures of a report. */
export function summarize(r: BacktestReport): BacktestSummary {
  const side = (s: BacktestReport['live']): SideSummary => ({
    alertRate: s.alertRate,
    precision: s.precision,
    recall: s.recall,
    fraudCaught: s.fraud.caught,
    fraudMissedAmount: s.fraud.missedAmount,
    legitimateDeclined: s.legitimate.declined,
  });
  return {
    transactions: r.run.transactions,
    changed: r.changed.total,
    fraud: r.labels.fraud,
    live: side(r.live),
    draft: side(r.draft),
    durationMs: r.run.durationMs,
  };
}

/** Upper bound of one listing page. */
export const BACKTEST_MAX_PAGE = 500;

/**
 * Durable backtest runs, generic over the adapter's kind (io/result-kind.ts): the server's backtest
 * routes take the `'sync'` form (an embedded store answers at once); code written for both awaits
 * every call. Transitions that do not apply (finishing a run that is not running, ending one already
 * over) change nothing rather than throw: a run the server cancelled at shutdown stays cancelled when
 * its worker reports late.
 */
export interface BacktestStore<K extends ResultKind = ResultKind> {
  /** Records a new run, `queued`, requested now; ids are 1, 2, 3, … in request order. */
  create(version: number, params: BacktestParams, requestedBy: string): Result<K, BacktestRun>;
  /** One run, if it exists. */
  get(id: number): Result<K, BacktestRun | undefined>;
  /** The report of a finished run; null while it has none (or for an unknown id). */
  report(id: number): Result<K, BacktestReport | null>;
  /** A version's runs, newest first, with ids below `before`, at most `limit` (default 100). */
  list(version: number, page?: { before?: number | undefined; limit?: number | undefined }): Result<K, BacktestRun[]>;
  /** queued → running. */
  start(id: number): Result<K, void>;
  /** running → done, with its report (and the summary made of it). */
  finish(id: number, report: BacktestReport): Result<K, void>;
  /** queued or running → failed or cancelled, with why. */
  end(id: number, state: 'failed' | 'cancelled', why: BacktestFailure): Result<K, void>;
  /** Every run still queued or running → cancelled with `message` (a previous process stopped, or this one is); how many. */
  cancelOpen(message: string): Result<K, number>;
}
