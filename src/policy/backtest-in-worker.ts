/**
 * Runs a backtest in a worker thread so the caller's event loop (a decision server) keeps
 * answering: the worker opens the SQLite file read-only, compiles the draft's sources and replays.
 * Errors come back as the same Fengkong errors (a draft that does not compile rejects with a
 * PolicyCompileError carrying every diagnostic).
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, ErrorCode, FengkongError, PolicyCompileError, StoreError, type PolicyDiagnostic } from '../errors.js';
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
export type BacktestWorkerReply =
  | { readonly kind: 'progress'; readonly progress: BacktestProgress }
  | { readonly kind: 'done'; readonly report: BacktestReport }
  | {
      readonly kind: 'error';
      readonly message: string;
      readonly code: string | null;
      readonly diagnostics: PolicyDiagnostic[] | null;
    };

/** How to run a backtest in a worker. */
export interface WorkerBacktestOptions extends BacktestOptions {
  /** the draft's name in the report (default "draft"). */
  readonly policyName?: string | undefined;
  readonly modelText?: string | undefined;
  readonly onProgress?: ((p: BacktestProgress) => void) | undefined;
  /** aborting stops the worker and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** The error thrown in the worker, rebuilt on this side with its class and code. */
function rebuild(m: Extract<BacktestWorkerReply, { kind: 'error' }>): Error {
  if (m.diagnostics !== null) return new PolicyCompileError(m.diagnostics);
  const message = m.message.replace(/^\[FK\d+\] /, '');
  if (m.code === ErrorCode.Store) return new StoreError(message);
  if (m.code === ErrorCode.Config || m.code === ErrorCode.PolicyNotFound) return new ConfigError(message);
  if (m.code !== null) return new FengkongError(m.code as FengkongError['code'], message);
  return new Error(`backtest worker failed: ${m.message}`);
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
  if (signal?.aborted) return Promise.reject(signal.reason);
  const data: BacktestWorkerData = {
    dbFile,
    sources: sources.map((s) => ({ file: s.file, text: s.text })),
    policyName: policyName ?? 'draft',
    modelText,
    options: rest,
  };
  return new Promise<BacktestReport>((resolve, reject) => {
    const worker = new Worker(new URL('./backtest-worker.js', import.meta.url), { workerData: data });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      settle(() => reject(signal?.reason));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: BacktestWorkerReply) => {
      if (m.kind === 'progress') onProgress?.(m.progress);
      else if (m.kind === 'done') settle(() => resolve(m.report));
      else settle(() => reject(rebuild(m)));
    });
    worker.on('error', (e) => settle(() => reject(new Error(`backtest worker failed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => settle(() => reject(new Error(`backtest worker exited (code ${code}) without a report`))));
  });
}
