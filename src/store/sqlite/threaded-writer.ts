/**
 * A JournalWriter that runs the SQLite appends in a worker thread (writer-thread.ts). The fsync
 * of a commit takes milliseconds; on the main thread it would stall every connection, here it
 * overlaps with deciding the next batch.
 */
import { Worker } from 'node:worker_threads';
import { StoreError } from '../../errors.js';
import type { JournalWriter } from '../../log/journal.js';
import { packBatch } from '../../log/journal-pack.js';
import { encryptionSettings } from './crypt.js';

/** Main thread → writer thread; a batch travels as one packed string (see log/journal-pack.ts). */
export type WriterRequest = { kind: 'append'; id: number; packed: string } | { kind: 'close' };

/** Writer thread → main thread. */
export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'written'; id: number; ms: number }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'closed' };

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

/** Starts the writer thread on the store of `dataDir`; resolves once its connection is open. `autoCheckpoint` as SqliteStore's. */
export async function startThreadedWriter(dataDir: string, o: { autoCheckpoint?: boolean } = {}): Promise<JournalWriter> {
  const worker = new Worker(new URL('./writer-thread.js', import.meta.url), {
    workerData: { dataDir, encryption: encryptionSettings(dataDir), autoCheckpoint: o.autoCheckpoint !== false },
  });
  const waiters = new Map<number, Waiter>();
  let nextId = 1;
  let dead: Error | null = null;
  let closed: (() => void) | null = null;

  const failAll = (e: Error): void => {
    dead = e;
    for (const w of waiters.values()) w.reject(e);
    waiters.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: WriterReply) => {
      worker.off('error', reject);
      if (m.kind === 'ready') resolve();
      else reject(new StoreError(`journal writer could not open the store: ${m.kind === 'failed' ? m.message : m.kind}`));
    });
  });

  worker.on('message', (m: WriterReply) => {
    if (m.kind === 'written' || m.kind === 'error') {
      const w = waiters.get(m.id);
      waiters.delete(m.id);
      if (w === undefined) return;
      if (m.kind === 'written') w.resolve();
      else w.reject(new StoreError(m.message));
    } else if (m.kind === 'closed') closed?.();
  });
  worker.on('error', (e) => failAll(new StoreError(`journal writer thread failed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => {
    if (dead === null) failAll(new StoreError(`journal writer thread exited (code ${code})`));
    closed?.();
  });

  return {
    write(batch) {
      if (dead !== null) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        worker.postMessage({ kind: 'append', id, packed: packBatch(batch) } satisfies WriterRequest);
      });
    },
    async close() {
      if (dead !== null) return;
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ kind: 'close' } satisfies WriterRequest);
      });
      await worker.terminate();
    },
  };
}
