/**
 * Worker-thread entry of read-ahead.ts: opens its own read-only connection at once, waits for the
 * one range to read, and reads it in batches of growing size (opening sealed events straight into
 * the batch's bytes), each posted transferred; before each batch it skips past what the caller
 * has claimed to read by itself.
 */
import { workerData } from 'node:worker_threads';
import { setEncryption } from './crypt.js';
import { EntryPacker } from './read-ahead-batch.js';
import { READ_AHEAD_BATCH, READ_AHEAD_FIRST_BATCH, type ReadAheadData, type ReadAheadMessage, type ReadAheadRange } from './read-ahead.js';
import { SqliteStore } from './sqlite-store.js';

const data = workerData as ReadAheadData;
const claim = new BigInt64Array(data.claim);

function post(m: ReadAheadMessage): void {
  if (m.kind === 'batch') {
    const p = m.packed;
    data.port.postMessage(m, [p.numbers.buffer, p.ends.buffer, p.nulls.buffer, p.bytes.buffer] as ArrayBuffer[]);
  } else data.port.postMessage(m);
}

let store: SqliteStore | null = null;
let failure: string | null = null;
try {
  setEncryption(data.dataDir, data.encryption);
  store = new SqliteStore(data.dataDir, { readonly: true, readAhead: false });
} catch (e) {
  failure = (e as Error).message;
}

data.port.once('message', (r: ReadAheadRange) => {
  try {
    if (store === null) throw new Error(failure ?? 'the journal is not open');
    const crypt = store.crypt;
    const packer = new EntryPacker(READ_AHEAD_BATCH);
    let size = READ_AHEAD_FIRST_BATCH;
    let from = r.from;
    for (;;) {
      from = Math.max(from, Number(Atomics.load(claim, 0)));
      if (from > r.to) break;
      let lastRead = from - 1;
      store.forEachRowInRange(from, r.to, r.type, r.except, (row) => {
        packer.add(row[0], row[1], row[2], crypt.openRaw(row[3]), row[4], row[5]);
        lastRead = row[0];
        return packer.size < size;
      });
      const full = packer.size === size;
      const upTo = full ? lastRead + 1 : r.to + 1;
      post({ kind: 'batch', packed: packer.take(), upTo });
      from = upTo;
      size = Math.min(size * 2, READ_AHEAD_BATCH);
    }
    post({ kind: 'end' });
  } catch (e) {
    post({ kind: 'error', message: (e as Error).message });
  } finally {
    store?.close();
    data.port.close();
  }
});
