/**
 * Events of a JSONL file (or stdin), validated by the contract on a second thread and handed over
 * in order, batch by batch: parsing a line costs about as much as deciding the payment in it, so a
 * replay on two cores runs the two side by side (see parse-worker.ts and event-batch.ts).
 */
import { Worker } from 'node:worker_threads';
import type { FkEvent } from '../contract/events.js';
import { EventBatchDecoder, type EventBatch, type InvalidLine } from './event-batch.js';
import { errorFrom, type WorkerFailure } from './worker-job.js';

/** What the worker is started with. */
export interface ParseWorkerInput {
  /** a file, or '-' for stdin. */
  readonly path: string;
}

/** What the worker posts: batches in order, then the end, or its failure. */
export type ParseWorkerMessage =
  | { readonly kind: 'batch'; readonly batch: EventBatch; readonly bytes: number; readonly lines: number }
  | { readonly kind: 'end'; readonly bytes: number; readonly lines: number }
  | WorkerFailure;

/** Where the reading stands after a batch, for progress lines. */
export interface StreamPosition {
  /** input bytes read so far. */
  readonly bytes: number;
  /** input lines read so far. */
  readonly lines: number;
}

/** The callbacks a stream feeds, all called on the caller's thread in input order. */
export interface ParsedEventHandlers {
  readonly onEvent: (e: FkEvent, lineNo: number) => void;
  readonly onInvalid: (line: InvalidLine) => void;
  /** after each batch; the stream waits for a returned promise before handing over the next. */
  readonly onBatch?: ((at: StreamPosition) => void | Promise<void>) | undefined;
}

/**
 * Streams every event of `path` ('-' for stdin) through `h` and resolves with the final position
 * once all are handled. Rejects with the worker's error (an unreadable file, an I/O failure); a
 * line that is not a valid event is not an error, it goes to `onInvalid`.
 */
export function streamParsedEvents(path: string, h: ParsedEventHandlers): Promise<StreamPosition> {
  const input: ParseWorkerInput = { path };
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: input });
  const decoder = new EventBatchDecoder();
  const queue: ParseWorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (m: ParseWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = new Error(`event parser failed: ${e.message}`, { cause: e });
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`event parser exited (code ${code}) before the end of the input`);
    wake?.();
  });
  const next = async (): Promise<ParseWorkerMessage> => {
    while (queue.length === 0) {
      if (failure !== null) throw failure;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    return queue.shift()!;
  };
  const run = async (): Promise<StreamPosition> => {
    try {
      for (;;) {
        const m = await next();
        if (m.kind === 'error') throw errorFrom(m, 'event parser');
        if (m.kind === 'end') return { bytes: m.bytes, lines: m.lines };
        decoder.decode(m.batch, h.onEvent, h.onInvalid);
        worker.postMessage(0); // one batch read: the worker may post another
        if (h.onBatch !== undefined) await h.onBatch({ bytes: m.bytes, lines: m.lines });
      }
    } finally {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  };
  return run();
}
