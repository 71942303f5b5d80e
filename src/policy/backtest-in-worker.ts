/**
 * Runs a backtest in a worker thread so the caller's event loop (a decision server) keeps
 * answering: the worker opens the store read-only through the adapter it is given (an
 * AdapterRef: functions do not cross threads), compiles the draft's sources and replays.
 * Errors come back as the same Fengkong errors (a draft that does not compile rejects with a
 * PolicyCompileError carrying every diagnostic).
 */
import type { Engine } from '../engine/engine.js';
import type { AdapterRef } from '../io/adapter-ref.js';
import { runWorkerJob, type WorkerJobReply } from '../io/worker-job.js';
import type { ListSet } from '../lists/list-set.js';
import type { PolicySource } from '../rules/compile.js';
import type { Journal } from '../log/journal.js';
import type { BacktestInput, BacktestProgress } from './backtest.js';
import type { BacktestReport } from './backtest-report.js';

/**
 * What a backtest reads from a data folder, opened read-only beside a running server: the journal,
 * and what live decided with beyond it (operator actions at their journal positions, the lists).
 */
export interface BacktestSource {
  readonly journal: Journal;
  /** The store's account and merchant actions as a replay schedule (see BacktestInput.actions). */
  actions(engine: Engine): (seq: number) => number;
  /** The store's lists as they are now (see BacktestInput.lists). */
  readonly lists: ListSet;
  /** Releases what it opened. */
  close(): void;
}

/** What the backtest worker imports by URL (an AdapterRef's module) to open its source. */
export interface BacktestAdapter {
  /** Opens the data folder read-only; a StoreError when it holds no store. */
  openBacktestSource(dataDir: string): BacktestSource;
}

/** The plain options of a backtest (everything of BacktestInput that can cross a thread). */
export type BacktestOptions = Omit<BacktestInput, 'journal' | 'draft' | 'model' | 'onProgress'>;

/** Main thread → worker, as workerData. */
export interface BacktestWorkerData {
  /** the adapter the worker opens the data folder with (a module exporting BacktestAdapter). */
  readonly adapter: AdapterRef;
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
 * Backtests the draft compiled from `sources` over the journal `adapter` opens, on a worker
 * thread; resolves to the report. Progress arrives through `options.onProgress`.
 */
export function runBacktestInWorker(
  adapter: AdapterRef,
  sources: readonly PolicySource[],
  options: WorkerBacktestOptions = {},
): Promise<BacktestReport> {
  const { policyName, modelText, onProgress, signal, ...rest } = options;
  const data: BacktestWorkerData = {
    adapter,
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
