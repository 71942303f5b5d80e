/**
 * Worker-thread entry of a shadow (started by shadow.ts): builds the ShadowRunner from its
 * workerData and hands it every message. Messages: shadow-messages.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ShadowCommand, ShadowReply, ShadowWorkerData } from './shadow-messages.js';
import { ShadowRunner } from './shadow-runner.js';

const port = parentPort;
if (port === null) throw new Error('shadow-worker.js must run as a worker thread');

const post = (m: ShadowReply): void => port.postMessage(m);

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
