/**
 * Worker-thread entry of a shadow (started by shadow.ts): lowers its own scheduling priority (so
 * when cores are short the server's threads run first and the shadow lags instead), opens the data
 * folder through the adapter in its workerData (this file imports none), builds the ShadowRunner
 * and hands it every message. Messages: shadow-messages.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { importAdapter } from '../io/adapter-ref.js';
import type { ShadowCommand, ShadowReply, ShadowWorkerData } from './shadow-messages.js';
import { ShadowRunner } from './shadow-runner.js';
import type { ShadowAdapter, ShadowSource } from './shadow-types.js';

const port = parentPort;
if (port === null) throw new Error('shadow-worker.js must run as a worker thread');

const post = (m: ShadowReply): void => port.postMessage(m);

/** The nice value of a shadow's thread (0 is the server's; higher runs later). */
export const SHADOW_NICE = 10;

try {
  // Linux: /proc/thread-self names this thread's id, and setpriority on a thread id moves that thread only
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, SHADOW_NICE);
} catch {
  // elsewhere the shadow runs at the server's priority
}

// listening before the adapter loads: commands sent meanwhile wait here, in order
let handle: ((m: ShadowCommand) => void) | null = null;
const early: ShadowCommand[] = [];
port.on('message', (m: ShadowCommand) => {
  if (handle !== null) handle(m);
  else early.push(m);
});

/** Stays alive to answer a stop: the server ends every failed shadow with one. */
function failed(message: string): void {
  post({ kind: 'failed', message });
  handle = (m) => {
    if (m.kind === 'stop') post({ kind: 'stopped', id: m.id, totals: null });
  };
}

const data = workerData as ShadowWorkerData;
let source: ShadowSource | null = null;
try {
  source = (await importAdapter<ShadowAdapter>(data.adapter, ['openShadowSource'])).openShadowSource(data.adapter.dataDir);
  const runner = new ShadowRunner(data, source, post);
  handle = (m) => runner.handle(m);
  runner.start();
} catch (e) {
  source?.close();
  failed((e as Error).message);
}
for (const m of early.splice(0)) handle!(m);
