/**
 * Runs a journal report (rule performance, the risk report) on a worker thread, so a decision
 * server's event loop keeps answering while a million payments are read: the worker opens the data
 * folder read-only through the adapter it is given (an AdapterRef), runs the job, posts progress
 * and then the result or the error, rebuilt here with its class, so a refusal (a ContractError
 * naming a field) still maps to its HTTP answer. And a queue that runs such jobs one at a time.
 */
import type { AdapterRef } from '../io/adapter-ref.js';
import { runWorkerJob, type WorkerJobOptions, type WorkerJobReply } from '../io/worker-job.js';
import { ConflictError, ErrorCode, FengkongError } from '../errors.js';
import type { EntityScope } from '../policy/backtest-labels.js';
import type { RulePerformanceReport, ScanProgress } from '../policy/rule-performance.js';
import type { Journal } from '../log/journal.js';
import type { CaseQueueReader } from './cases.js';
import type { Bucket } from './range.js';
import type { RiskReport } from './risk-report.js';

/** The jobs a worker runs, with their plain (cloneable) options. */
export type ReportJob =
  | {
      readonly kind: 'rule-performance';
      readonly options: { from?: number; to?: number; bucket?: Bucket; entityLabels?: readonly EntityScope[] };
    }
  | {
      readonly kind: 'risk-report';
      readonly options: {
        from: number;
        to: number;
        bucket?: Bucket;
        top?: number;
        minPayments?: number;
        entityLabels?: readonly EntityScope[];
        now?: number;
      };
    };

/** What each job resolves to. */
export type ReportResult<J extends ReportJob> = J['kind'] extends 'rule-performance' ? RulePerformanceReport : RiskReport;

/** What a report reads from a data folder, opened read-only beside a running server. */
export interface ReportSource {
  readonly journal: Journal;
  /** The case queue, for the risk report's open cases. */
  readonly cases: CaseQueueReader;
  /** Releases what it opened. */
  close(): void;
}

/** What the report worker imports by URL (an AdapterRef's module) to open its source. */
export interface ReportAdapter {
  /** Opens the data folder read-only; a StoreError when it holds no store. */
  openReportSource(dataDir: string): ReportSource;
}

/** Main thread → worker, as workerData. */
export interface ReportWorkerData {
  /** the adapter the worker opens the data folder with (a module exporting ReportAdapter). */
  readonly adapter: AdapterRef;
  readonly job: ReportJob;
}

/** Worker → main thread. */
export type ReportWorkerReply = WorkerJobReply<ScanProgress, unknown>;

/** Runs `job` over the journal `adapter` opens, on a worker thread; resolves to its report. */
export function runReportInWorker<J extends ReportJob>(adapter: AdapterRef, job: J, opts: WorkerJobOptions<ScanProgress> = {}): Promise<ReportResult<J>> {
  const data: ReportWorkerData = { adapter, job };
  return runWorkerJob<ScanProgress, ReportResult<J>>(new URL('./worker-main.js', import.meta.url), data, 'report', opts);
}

/** Why queued and running jobs end when the queue closes. */
export class QueueClosedError extends FengkongError {
  constructor() {
    super(ErrorCode.BadRequest, 'the server is shutting down; the job was cancelled');
  }
}

interface Waiting {
  readonly start: () => void;
  readonly cancel: (e: Error) => void;
}

/**
 * Runs jobs one at a time (a worker takes a core; a server with two keeps one for decisions), the
 * rest waiting in arrival order; more than `maxWaiting` waiting is refused (ConflictError → 409).
 * `close` aborts the running job and rejects those waiting.
 */
export class JobQueue {
  private running: AbortController | null = null;
  private readonly waiting: Waiting[] = [];
  private closed = false;

  constructor(private readonly maxWaiting = 8) {}

  /** Jobs waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Whether a job run now would be refused (closed, or the line is full). */
  get full(): boolean {
    return this.closed || (this.running !== null && this.waiting.length >= this.maxWaiting);
  }

  /** Runs `job` when its turn comes; its signal aborts on close. */
  run<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    if (this.running !== null && this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new ConflictError(`${this.waiting.length} jobs are already waiting for the report worker; retry later`));
    }
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        const ctl = new AbortController();
        this.running = ctl;
        let p: Promise<T>;
        try {
          p = job(ctl.signal);
        } catch (e) {
          p = Promise.reject(e);
        }
        // the slot is free (and the next job started) before the caller hears of the end
        p.then(
          (v) => {
            this.release(ctl);
            resolve(v);
          },
          (e: unknown) => {
            this.release(ctl);
            reject(e);
          },
        );
      };
      if (this.running === null) start();
      else this.waiting.push({ start, cancel: reject });
    });
  }

  private release(ctl: AbortController): void {
    if (this.running === ctl) this.running = null;
    if (this.closed || this.running !== null) return;
    this.waiting.shift()?.start();
  }

  /** Cancels everything; later runs are refused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.cancel(new QueueClosedError());
    this.running?.abort(new QueueClosedError());
  }
}
