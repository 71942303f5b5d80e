/**
 * Worker-thread entry of a shadow (started by shadow.ts): lowers its own scheduling priority (so
 * when cores are short the server's threads run first and the shadow lags instead), builds the
 * ShadowRunner from its workerData and hands it every message. Messages: shadow-messages.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ShadowCommand, ShadowReply, ShadowWorkerData } from './shadow-messages.js';
import { ShadowRunner } from './shadow-runner.js';

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

try {
  const runner = new ShadowRunner(workerData as ShadowWorkerData, post);
  port.on('message', (m: ShadowCommand) => runner.handle(m));
  runner.start();
} catch (e) {
  post({ kind: 'failed', message: (e as Error).message });
  // stays alive to answer a stop: the server ends every failed shadow with one
  port.on('message', (m: ShadowCommand) => {
    if (m.kind === 'stop') post({ kind: 'stopped', id: m.id, totals: null });
  });
}
