/**
 * Worker-thread entry that keeps the payment index (account → journal seq) complete. Live, the
 * main thread hands it the payments it has committed (`rows`: seq, account, merchant code), which
 * it inserts without opening the journal. From the journal — a chunk at a time, yielding between
 * chunks so messages get through — it catches up at start, when handed rows that do not continue
 * the index, when a view asks (`sync`), and once the live rows stop (no batch for LIVE_MS). Off the
 * event loop, and in a file of its own, so neither deciding nor the journal's commits wait for it. The
 * writer comes from the adapter named in the worker data (an AdapterRef): this file imports no
 * adapter. Messages are defined in tx-index.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { importAdapter } from '../io/adapter-ref.js';
import type { IndexedRows, TxIndexAdapter, TxIndexWriter } from './store.js';
import { HAND_OVER_MS, type IndexReply, type IndexRequest, type IndexWorkerData } from './tx-index.js';

const port = parentPort;
if (port === null) throw new Error('tx-index-worker.js must run as a worker thread');

/** How long after the last catch-up (or a start) the journal is looked at again. */
const IDLE_MS = 1_000;
/** Live rows keep the index complete while the last batch came within this (batches come every HAND_OVER_MS). */
const LIVE_MS = 2.5 * HAND_OVER_MS;

let writer: TxIndexWriter | null = null;
let timer: NodeJS.Timeout | null = null;
let running = false;
let closed = false;
let lastRowsAt = 0;

function rearm(): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(idle, IDLE_MS);
}

/** The periodic look at the journal, skipped while live rows keep the index complete. */
function idle(): void {
  timer = null;
  if (performance.now() - lastRowsAt < LIVE_MS) rearm();
  else catchUp();
}

/** Indexes from the journal chunk after chunk (yielding between them so messages get through) until caught up. */
function catchUp(): void {
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
    rearm();
  };
  step();
}

/** Live rows: inserted when they continue the index; otherwise the journal has them (a catch-up reads them). */
function record(rows: IndexedRows): void {
  lastRowsAt = performance.now();
  if (writer === null || running) return;
  try {
    const r = writer.record(rows);
    if (r.applied) port!.postMessage({ kind: 'indexed', seq: r.indexed } satisfies IndexReply);
    else catchUp();
  } catch (e) {
    port!.postMessage({ kind: 'error', message: (e as Error).message } satisfies IndexReply);
  }
}

// listening before the adapter loads: a sync or close sent meanwhile is not lost (rows are: the start's catch-up reads them)
port.on('message', (m: IndexRequest) => {
  if (m.kind === 'rows') record(m.rows);
  else if (m.kind === 'sync') catchUp();
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
    catchUp();
  }
} catch (e) {
  if (!closed) port.postMessage({ kind: 'failed', message: (e as Error).message } satisfies IndexReply);
}
