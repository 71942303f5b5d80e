/**
 * Worker-thread entry that keeps the payment index (account → journal seq, `account-index.db`)
 * caught up with the journal: a chunk at a time, every second and whenever the main thread asks
 * (a view about to read). Off the event loop, and in a file of its own, so neither deciding nor
 * the journal's commits ever wait for it. Messages are defined in tx-index.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openTxIndex, TxIndexWriter } from '../store/sqlite/accounts.js';
import type { IndexReply, IndexRequest } from './tx-index.js';

const port = parentPort;
if (port === null) throw new Error('tx-index-worker.js must run as a worker thread');

const IDLE_MS = 1_000;

let writer: TxIndexWriter | null = null;
try {
  writer = new TxIndexWriter((workerData as { dataDir: string }).dataDir, openTxIndex((workerData as { dataDir: string }).dataDir));
  port.postMessage({ kind: 'ready' } satisfies IndexReply);
} catch (e) {
  port.postMessage({ kind: 'failed', message: (e as Error).message } satisfies IndexReply);
}

let timer: NodeJS.Timeout | null = null;
let running = false;

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

port.on('message', (m: IndexRequest) => {
  if (m.kind === 'sync') run();
  else if (m.kind === 'close') {
    if (timer !== null) clearTimeout(timer);
    writer?.close();
    writer = null;
    port.postMessage({ kind: 'closed' } satisfies IndexReply);
    port.close();
  }
});
run();
