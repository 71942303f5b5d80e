// The SQLite journal: the shared Journal contract on a real file in a temp folder, plus what is
// specific to the embedded store (file name, pragmas, schema version, the writer threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { startThreadedWriter } from '../../../src/store/sqlite/threaded-writer.js';
import { packBatch, unpackBatch } from '../../../src/log/journal-pack.js';
import { StoreError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { journalContract } from '../contract/journal.js';
import { sqliteHarness } from './harness.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fk-sqlite-'));
}

journalContract('SqliteStore', sqliteHarness('journal', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: store, close: () => store.close() };
}));

test('sqlite: one file <data>/fengkong.db in WAL mode with synchronous FULL', () => {
  const dir = tempDir();
  try {
    const s = new SqliteStore(join(dir, 'nested', 'data'));
    assert.deepEqual(s.durability(), { journalMode: 'wal', synchronous: 2 });
    s.close();
    const file = join(dir, 'nested', 'data', 'fengkong.db');
    assert.ok(existsSync(file));
    const db = new BetterSqlite3(file);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: refuses a file with a newer schema', () => {
  const dir = tempDir();
  try {
    new SqliteStore(dir).close();
    const db = new BetterSqlite3(join(dir, 'fengkong.db'));
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => new SqliteStore(dir), (e: unknown) => e instanceof StoreError && /newer/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: the writer thread commits batches in order, visible to a reader; a failure is sticky', async () => {
  const dir = tempDir();
  const reader = new SqliteStore(dir);
  const writer = await startThreadedWriter(dir);
  try {
    const entry = (seq: number) => ({
      seq,
      type: 'transaction' as const,
      txId: `t${seq}`,
      event: '{}',
      decision: `{"n":${seq}}`,
      receivedAt: seq,
    });
    await Promise.all([writer.write([entry(1), entry(2)]), writer.write([entry(3)])]);
    assert.equal(reader.lastSeq(), 3);
    assert.equal(reader.decision('t2')?.decision, '{"n":2}');
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.write([entry(4 + i)])));
    assert.equal(many.length, 50);
    assert.equal(reader.lastSeq(), 53);
    await assert.rejects(writer.write([entry(3)]), StoreError);
    await assert.rejects(writer.write([entry(54)]), StoreError, 'nothing after a failure');
    assert.equal(reader.lastSeq(), 53);
  } finally {
    await writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: batches cross to the writer thread packed in one string, losslessly', () => {
  const batch = [
    { seq: 7, type: 'transaction' as const, txId: 'tx ü/1', event: JSON.stringify({ name: 'a\u0000b\u0001c\n商户', n: 1.5 }), decision: '{"outcome":"approve"}', receivedAt: 1_764_000_000_123 },
    { seq: 8, type: 'label' as const, txId: null, event: '{"type":"label"}', decision: null, receivedAt: 1 },
  ];
  assert.deepEqual(unpackBatch(packBatch(batch)), batch);
  assert.deepEqual(unpackBatch(packBatch([])), []);
});

test('walsync writer: batches written during an fsync commit together, in order, and are durable when resolved', async () => {
  const { startWalSyncWriter } = await import('../../../src/store/sqlite/wal-sync-writer.js');
  const dir = mkdtempSync(join(tmpdir(), 'fk-walsync-'));
  try {
    new SqliteStore(dir).close();
    const writer = startWalSyncWriter(dir);
    const entry = (seq: number): JournalEntry => ({ seq, type: 'transaction', txId: `t${seq}`, event: `{"n":${seq}}`, decision: '{}', receivedAt: seq });
    // 50 batches handed over in one tick: the first commits at once, the rest queue behind its fsync
    const writes = Array.from({ length: 50 }, (_, i) => writer.write([entry(2 * i + 1), entry(2 * i + 2)]));
    await Promise.all(writes);
    const reader = new SqliteStore(dir);
    try {
      assert.equal(reader.lastSeq(), 100);
      const seqs: number[] = [];
      reader.forEachEvent((e) => seqs.push(e.seq));
      assert.deepEqual(seqs, Array.from({ length: 100 }, (_, i) => i + 1));
    } finally {
      reader.close();
    }
    // a batch out of sequence fails, and so does everything after it
    await assert.rejects(writer.write([entry(500)]), /out of order/);
    await assert.rejects(writer.write([entry(101)]));
    await writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
