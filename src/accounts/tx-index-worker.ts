/**
 * Worker-thread entry that keeps the payment index (account → journal seq) caught up with the
 * journal: a chunk at a time, every second and whenever the main thread asks (a view about to
 * read). Off the event loop, and in a file of its own, so neither deciding nor the journal's
 * commits ever wait for it. The writer comes from the adapter named in the worker data (an
 * AdapterRef): this file imports no adapter. Messages are defined in tx-index.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { importAdapter } from '../io/adapter-ref.js';
import type { TxIndexAdapter, TxIndexWriter } from './store.js';
import type { IndexReply, IndexRequest, IndexWorkerData } from './tx-index.js';

const port = parentPort;
if (port === null) throw new Error('tx-index-worker.js must run as a worker thread');

const IDLE_MS = 1_000;

let writer: TxIndexWriter | null = null;
let timer: NodeJS.Timeout | null = null;
let running = false;
let closed = false;

/** Indexes chunk after chunk (yielding between them so messages get through) until caught up. */
function run(): void {
  if (running || writer === null) return;
  running = true;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  const step = (): void => {
    if (writer === null) return;
    try {
      const r = writer.step();
      port!.postMessage({ kind: 'indexed', seq: r.indexed } satisfies IndexReply);
      if (!r.done) {
        setImmediate(step);
        return;
      }
    } catch (e) {
      port!.postMessage({ kind: 'error', message: (e as Error).message } satisfies IndexReply);
    }
    running = false;
    timer = setTimeout(run, IDLE_MS);
  };
  step();
}

// listening before the adapter loads: a sync or close sent meanwhile is not lost
port.on('message', (m: IndexRequest) => {
  if (m.kind === 'sync') run();
  else if (m.kind === 'close') {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    writer?.close();
    writer = null;
    port.postMessage({ kind: 'closed' } satisfies IndexReply);
    port.close();
  }
});

try {
  const ref = (workerData as IndexWorkerData).adapter;
  const opened = (await importAdapter<TxIndexAdapter>(ref, ['openTxIndexWriter'])).openTxIndexWriter(ref.dataDir);
  if (closed) opened.close();
  else {
    writer = opened;
    port.postMessage({ kind: 'ready' } satisfies IndexReply);
    run();
  }
} catch (e) {
  if (!closed) port.postMessage({ kind: 'failed', message: (e as Error).message } satisfies IndexReply);
}
