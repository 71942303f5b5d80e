/**
 * Runs a backtest in a worker thread so the caller's event loop (a decision server) keeps
 * answering: the worker opens the SQLite file read-only, compiles the draft's sources and replays.
 * Errors come back as the same Fengkong errors (a draft that does not compile rejects with a
 * PolicyCompileError carrying every diagnostic).
 */
import { runWorkerJob, type WorkerJobReply } from '../io/worker-job.js';
import type { PolicySource } from '../rules/compile.js';
import type { BacktestInput, BacktestProgress } from './backtest.js';
import type { BacktestReport } from './backtest-report.js';

/** The plain options of a backtest (everything of BacktestInput that can cross a thread). */
export type BacktestOptions = Omit<BacktestInput, 'journal' | 'draft' | 'model' | 'onProgress'>;

/** Main thread → worker, as workerData. */
export interface BacktestWorkerData {
  /** the store's SQLite file, `<data>/fengkong.db`. */
  readonly dbFile: string;
  readonly sources: readonly PolicySource[];
  readonly policyName: string;
  /** a model file's text (model.json), when the draft runs with a model. */
  readonly modelText?: string | undefined;
  readonly options: BacktestOptions;
}

/** Worker → main thread. */
export type BacktestWorkerReply = WorkerJobReply<BacktestProgress, BacktestReport>;

/** How to run a backtest in a worker. */
export interface WorkerBacktestOptions extends BacktestOptions {
  /** the draft's name in the report (default "draft"). */
  readonly policyName?: string | undefined;
  readonly modelText?: string | undefined;
  readonly onProgress?: ((p: BacktestProgress) => void) | undefined;
  /** aborting stops the worker and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Backtests the draft compiled from `sources` over the journal in `dbFile` on a worker thread;
 * resolves to the report. Progress arrives through `options.onProgress`.
 */
export function runBacktestInWorker(
  dbFile: string,
  sources: readonly PolicySource[],
  options: WorkerBacktestOptions = {},
): Promise<BacktestReport> {
  const { policyName, modelText, onProgress, signal, ...rest } = options;
  const data: BacktestWorkerData = {
    dbFile,
    sources: sources.map((s) => ({ file: s.file, text: s.text })),
    policyName: policyName ?? 'draft',
    modelText,
    options: rest,
  };
  return runWorkerJob<BacktestProgress, BacktestReport>(new URL('./backtest-worker.js', import.meta.url), data, 'backtest', {
    onProgress,
    signal,
  });
}
