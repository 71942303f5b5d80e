/**
 * Worker-thread entry that owns the SQLite write connection. Each time it wakes it drains every
 * batch queued behind the one that woke it and commits them all as ONE transaction (one fsync),
 * then answers each; so while one commit syncs, the next one gathers everything that arrives.
 * After a failure it refuses every later batch: the journal must stay a gap-free prefix.
 * Messages are defined in threaded-writer.ts.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { JournalEntry } from '../../log/journal.js';
import { SqliteStore } from './sqlite-store.js';
import { unpackBatch } from '../../log/journal-pack.js';
import type { WriterReply, WriterRequest } from './threaded-writer.js';
import { setEncryption, type EncryptionSettings } from './crypt.js';

const port = parentPort;
if (port === null) throw new Error('writer-thread.js must run as a worker thread');

let store: SqliteStore | null = null;
let broken: string | null = null;
try {
  const data = workerData as { dataDir: string; encryption: EncryptionSettings; autoCheckpoint: boolean };
  setEncryption(data.dataDir, data.encryption);
  store = new SqliteStore(data.dataDir, { autoCheckpoint: data.autoCheckpoint });
  port.postMessage({ kind: 'ready' } satisfies WriterReply);
} catch (e) {
  port.postMessage({ kind: 'failed', message: (e as Error).message } satisfies WriterReply);
}

function commit(ids: number[], entries: JournalEntry[]): void {
  if (ids.length === 0) return;
  const started = performance.now();
  try {
    if (broken !== null) throw new Error(broken);
    if (store === null) throw new Error('journal writer is closed');
    store.append(entries);
    const ms = performance.now() - started;
    for (const id of ids) port!.postMessage({ kind: 'written', id, ms } satisfies WriterReply);
  } catch (e) {
    broken ??= (e as Error).message;
    for (const id of ids) port!.postMessage({ kind: 'error', id, message: (e as Error).message } satisfies WriterReply);
  }
}

port.on('message', (first: WriterRequest) => {
  const ids: number[] = [];
  const entries: JournalEntry[] = [];
  let close = false;
  let msg: WriterRequest | undefined = first;
  while (msg !== undefined) {
    if (msg.kind === 'close') close = true;
    else if (!close) {
      ids.push(msg.id);
      unpackBatch(msg.packed, entries);
    }
    msg = (receiveMessageOnPort(port) as { message: WriterRequest } | undefined)?.message;
  }
  commit(ids, entries);
  if (close) {
    store?.close();
    store = null;
    port.postMessage({ kind: 'closed' } satisfies WriterReply);
    port.close();
  }
});
