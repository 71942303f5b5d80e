/**
 * Worker thread of ParsedEventStream: reads the events file (or stdin), parses and validates every
 * line by the contract and posts them in EventBatches, so that the engine's thread spends its time
 * deciding, not parsing. At most MAX_IN_FLIGHT batches wait unread: a slow engine throttles reading
 * instead of filling memory.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseEventText } from '../contract/parse.js';
import { ContractError } from '../errors.js';
import { EventBatchEncoder } from './event-batch.js';
import { forEachLine } from './lines.js';
import { describeError } from './worker-job.js';
import type { ParseWorkerMessage, ParseWorkerInput } from './parsed-event-stream.js';

/** Records per batch: large enough that posting is noise, small enough to keep the engine fed early. */
const BATCH = 2048;
const MAX_IN_FLIGHT = 4;

const port = parentPort!;
const { path } = workerData as ParseWorkerInput;
const encoder = new EventBatchEncoder();
let inFlight = 0;
let resume: (() => void) | null = null;
let bytes = 0;
let lines = 0;

port.on('message', () => {
  inFlight--;
  if (resume !== null && inFlight < MAX_IN_FLIGHT) {
    const r = resume;
    resume = null;
    r();
  }
});

function post(): void {
  const batch = encoder.take();
  inFlight++;
  const m: ParseWorkerMessage = { kind: 'batch', batch, bytes, lines };
  port.postMessage(m, [batch.nums.buffer as ArrayBuffer]);
}

function onLine(text: string, lineNo: number): void {
  lines = lineNo;
  if (text.length === 0) return;
  try {
    encoder.add(parseEventText(text), lineNo);
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    encoder.addInvalid(lineNo, e.path, e.expected);
  }
  if (encoder.count >= BATCH) post();
}

try {
  // fd 0 read through the thread pool: this thread has no process.stdin of its own
  const input = path === '-' ? createReadStream('', { fd: 0, autoClose: false, highWaterMark: 1 << 20 }) : createReadStream(path, { highWaterMark: 1 << 20 });
  await forEachLine(input, onLine, async (n) => {
    bytes += n;
    if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (resume = r));
  });
  post();
  const end: ParseWorkerMessage = { kind: 'end', bytes, lines };
  port.postMessage(end);
} catch (e) {
  port.postMessage(describeError(e));
}
