/**
 * One job on a worker thread, as the server runs its heavy reads (backtests, reports): the caller's
 * event loop keeps answering while the worker opens the store read-only and works. The worker posts
 * progress, then its result or its error; errors cross as plain data and are rebuilt here with
 * their class, so a refusal in the worker (a ContractError naming a field, a policy that does not
 * compile) maps to the same HTTP answer as it would in process.
 */
import { Worker } from 'node:worker_threads';
import {
  ConfigError,
  ContractError,
  ErrorCode,
  FengkongError,
  PolicyCompileError,
  StoreError,
  type PolicyDiagnostic,
} from '../errors.js';

/** An error as it crosses from the worker. */
export interface WorkerFailure {
  readonly kind: 'error';
  readonly message: string;
  readonly code: string | null;
  /** every diagnostic, for a policy that does not compile. */
  readonly diagnostics: PolicyDiagnostic[] | null;
  /** the field and what was expected, for a ContractError. */
  readonly path: string | null;
  readonly expected: string | null;
}

/** What a job's worker posts. */
export type WorkerJobReply<P, R> = { readonly kind: 'progress'; readonly progress: P } | { readonly kind: 'done'; readonly result: R } | WorkerFailure;

/** The worker side: `e` as plain data. */
export function describeError(e: unknown): WorkerFailure {
  return {
    kind: 'error',
    message: (e as Error).message,
    code: e instanceof FengkongError ? e.code : null,
    diagnostics: e instanceof PolicyCompileError ? [...e.diagnostics] : null,
    path: e instanceof ContractError ? e.path : null,
    expected: e instanceof ContractError ? e.expected : null,
  };
}

/** The caller's side: the worker's error with its class and code again. */
export function errorFrom(m: WorkerFailure, what: string): Error {
  if (m.diagnostics !== null) return new PolicyCompileError(m.diagnostics);
  if (m.path !== null && m.expected !== null) return new ContractError(m.path, m.expected);
  const message = m.message.replace(/^\[FK\d+\] /, '');
  if (m.code === ErrorCode.Store) return new StoreError(message);
  if (m.code === ErrorCode.Config || m.code === ErrorCode.PolicyNotFound) return new ConfigError(message);
  if (m.code !== null) return new FengkongError(m.code as FengkongError['code'], message);
  return new Error(`${what} worker failed: ${m.message}`);
}

/** How to run one job. */
export interface WorkerJobOptions<P> {
  readonly onProgress?: ((p: P) => void) | undefined;
  /** aborting stops the worker and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Starts the worker script `url` with `workerData` and resolves to the result it posts; `what`
 * names the job in errors ("backtest", "report").
 */
export function runWorkerJob<P, R>(url: URL, workerData: unknown, what: string, opts: WorkerJobOptions<P> = {}): Promise<R> {
  const { onProgress, signal } = opts;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(url, { workerData });
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
    worker.on('message', (m: WorkerJobReply<P, R>) => {
      if (m.kind === 'progress') onProgress?.(m.progress);
      else if (m.kind === 'done') settle(() => resolve(m.result));
      else settle(() => reject(errorFrom(m, what)));
    });
    worker.on('error', (e) => settle(() => reject(new Error(`${what} worker failed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => settle(() => reject(new Error(`${what} worker exited (code ${code}) without a result`))));
  });
}
