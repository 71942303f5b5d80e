/**
 * A compact text form of a journal batch, shared by the adapters that move batches as one value:
 * the SQLite writer thread (one string to copy instead of thousands of objects) and the JetStream
 * journal (one message per group commit, without the quoting JSON would add to JSON-text fields).
 */
import type { JournalEntry } from './journal.js';

const FIELD = '\u0000';
const ENTRY = '\u0001';

/**
 * Packs a batch into one string: copying one string to the worker is a memcpy, while cloning
 * thousands of small objects cost the event loop ~10% of its time. Safe because no field can
 * hold U+0000 or U+0001: events and decisions are JSON.stringify output (control characters
 * escaped), ids are printable by the contract, and an empty txId / decision stands for null.
 */
export function packBatch(batch: readonly JournalEntry[]): string {
  let s = '';
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i];
    if (i > 0) s += ENTRY;
    s += e.seq + FIELD + e.type + FIELD + (e.txId ?? '') + FIELD + e.event + FIELD + (e.decision ?? '') + FIELD + e.receivedAt;
    // a partitioned cluster's annotation (JSON), as a seventh field only when there is one
    if (e.meta !== undefined && e.meta !== null) s += FIELD + e.meta;
  }
  return s;
}

/** The inverse of packBatch. */
export function unpackBatch(packed: string, out: JournalEntry[] = []): JournalEntry[] {
  if (packed.length === 0) return out;
  for (const line of packed.split(ENTRY)) {
    const f = line.split(FIELD);
    out.push({
      seq: Number(f[0]),
      type: f[1] as JournalEntry['type'],
      txId: f[2] === '' ? null : f[2],
      event: f[3],
      decision: f[4] === '' ? null : f[4],
      receivedAt: Number(f[5]),
      ...(f.length > 6 ? { meta: f[6] } : {}),
    });
  }
  return out;
}

/**
 * The packed form of several batches in a row, from their packed forms: a writer packs each batch
 * once as it arrives and joins whatever queued up behind an append into the next one.
 */
export function joinPacked(parts: readonly string[]): string {
  let s = '';
  for (const p of parts) {
    if (p.length === 0) continue;
    s = s.length === 0 ? p : s + ENTRY + p;
  }
  return s;
}
