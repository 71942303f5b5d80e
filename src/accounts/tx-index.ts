/**
 * The index of payments by account, for the account views' payment lists: a worker thread
 * (tx-index-worker.ts) fills it — from the payments the server tells it as they commit (`told`,
 * handed over in batches), and from the journal where those do not reach (at start, after a gap);
 * the main thread reads it through its own TxIndexReader. A view first asks for the index to reach
 * the journal's last committed seq, so it lists every payment already answered. Both sides come from
 * the adapter the composition root picked: the reader as an object, the writer as an AdapterRef the
 * worker imports.
 */
import { Worker } from 'node:worker_threads';
import type { FkEvent } from '../contract/events.js';
import { StoreError } from '../errors.js';
import type { AdapterRef } from '../io/adapter-ref.js';
import type { IndexedRows, TxIndexReader } from './store.js';

/** What the worker starts with: the adapter its writer comes from. */
export interface IndexWorkerData {
  readonly adapter: AdapterRef;
}

/** Main thread → worker. */
export type IndexRequest = { kind: 'rows'; rows: IndexedRows } | { kind: 'sync' } | { kind: 'close' };

/**
 * How often the payments told are handed to the worker: one message, one copy and one index
 * transaction per batch. Every insert lands on a random leaf of the by-account and by-merchant
 * indexes, so a transaction every 200 ms rewrote nearly the same pages ten times a second: at 2,000
 * payments/s the server wrote 33–43 MB/s, and the journal's own fsyncs waited behind it (p90 after
 * full speed 4.6–13.6 ms; every 2 s: 25–27 MB/s and 3.0–5.4 ms, docs/server.md "Fifth pass"). A view
 * loses nothing by it: `upTo` hands the gathered batch over before it waits.
 */
export const HAND_OVER_MS = 2_000;

/** The batch being gathered on the main thread (see TxIndex.told). */
interface Gathering {
  from: number;
  to: number;
  seqs: number[];
  accounts: string[];
  merchants: string[];
}

/** Worker → main thread. */
export type IndexReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'indexed'; seq: number }
  | { kind: 'error'; message: string }
  | { kind: 'closed' };

interface Waiter {
  readonly seq: number;
  resolve(): void;
  reject(e: Error): void;
}

/** The payment index of a data folder, kept current by its worker. */
export class TxIndex {
  readonly reader: TxIndexReader;
  private readonly worker: Worker;
  private indexed: number;
  private waiters: Waiter[] = [];
  private failure: Error | null = null;
  private closed: Promise<void> | null = null;
  private gathering: Gathering | null = null;
  private handOverTimer: NodeJS.Timeout | null = null;

  /**
   * Reads through `reader` (closed by `close`) and starts the worker that fills the index, opening
   * its writer through `adapter` (a module exporting TxIndexAdapter); does not wait for it.
   */
  constructor(reader: TxIndexReader, adapter: AdapterRef) {
    this.reader = reader;
    this.indexed = this.reader.indexedSeq();
    this.worker = new Worker(new URL('./tx-index-worker.js', import.meta.url), { workerData: { adapter } satisfies IndexWorkerData });
    this.worker.unref();
    this.worker.on('message', (m: IndexReply) => {
      if (m.kind === 'indexed') {
        this.indexed = Math.max(this.indexed, m.seq);
        this.settle();
      } else if (m.kind === 'failed') {
        this.fail(new StoreError(`the payment index cannot be opened: ${m.message}`));
      } else if (m.kind === 'error') {
        // the worker tries again a second later: only the views waiting now are refused
        const e = new StoreError(`the payment index cannot be updated: ${m.message}`);
        for (const w of this.waiters) w.reject(e);
        this.waiters = [];
      }
    });
    this.worker.on('error', (e) => this.fail(new StoreError(`the payment index thread failed: ${e.message}`, { cause: e })));
    this.worker.on('exit', () => {
      if (this.closed === null) this.fail(new StoreError('the payment index thread exited'));
    });
  }

  /**
   * Takes note of a committed journal entry, in seq order (a DecisionService commit listener): a
   * payment's seq, account and merchant code join the batch the worker gets next. Entries not told
   * (a gap in the seqs) start a new batch; the worker then reads the gap from the journal.
   */
  readonly told = (seq: number, e: FkEvent): void => {
    if (this.closed !== null) return;
    let g = this.gathering;
    if (g !== null && seq !== g.to + 1) {
      this.handOver();
      g = null;
    }
    if (g === null) {
      g = { from: seq, to: seq, seqs: [], accounts: [], merchants: [] };
      this.gathering = g;
      this.handOverTimer ??= setTimeout(() => this.handOver(), HAND_OVER_MS).unref();
    }
    g.to = seq;
    if (e.type === 'transaction') {
      g.seqs.push(seq);
      g.accounts.push(e.accountId);
      g.merchants.push(e.merchantId);
    }
  };

  /** Resolves once every journal entry up to `seq` is indexed. */
  upTo(seq: number): Promise<void> {
    if (this.indexed >= seq) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    this.handOver();
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.worker.postMessage({ kind: 'sync' } satisfies IndexRequest);
    });
  }

  /** Sends the gathered batch to the worker. */
  private handOver(): void {
    if (this.handOverTimer !== null) clearTimeout(this.handOverTimer);
    this.handOverTimer = null;
    const rows = this.gathering;
    this.gathering = null;
    if (rows !== null && this.failure === null) this.worker.postMessage({ kind: 'rows', rows } satisfies IndexRequest);
  }

  /** Stops the worker and closes the files. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.handOverTimer !== null) clearTimeout(this.handOverTimer);
      this.handOverTimer = null;
      this.gathering = null;
      const done = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000);
        this.worker.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        this.worker.on('message', (m: IndexReply) => {
          if (m.kind === 'closed') {
            clearTimeout(t);
            resolve();
          }
        });
      });
      this.worker.postMessage({ kind: 'close' } satisfies IndexRequest);
      await done;
      await this.worker.terminate();
      this.reader.close();
      for (const w of this.waiters) w.reject(new StoreError('the payment index is closed'));
      this.waiters = [];
    })();
    return this.closed;
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.indexed >= w.seq) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private fail(e: Error): void {
    if (this.failure !== null) return;
    this.failure = e;
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
  }
}
