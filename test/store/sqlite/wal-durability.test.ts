// The server's WAL handling on a real file: the checkpoint thread copies the WAL back while the
// journal's connections never checkpoint inside a commit, and the writer of `--durability process`
// answers at commit with the fsync right behind (what is unsynced drains to nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { startWalCheckpointer } from '../../../src/store/sqlite/wal-checkpointer.js';
import { startProcessDurableWriter } from '../../../src/store/sqlite/process-durable-writer.js';
import { StoreError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/log/journal.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fk-wal-'));
}

/** A payment entry with a ~2 KB event, so a few thousand fill megabytes of WAL. */
function entry(seq: number): JournalEntry {
  return { seq, type: 'transaction', txId: `t${seq}`, event: JSON.stringify({ pad: 'x'.repeat(2_000), seq }), decision: `{"n":${seq}}`, receivedAt: seq };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('sqlite: with autoCheckpoint off no commit checkpoints, and the checkpoint thread keeps the WAL from growing', async () => {
  const dir = tempDir();
  const store = new SqliteStore(dir, { autoCheckpoint: false });
  try {
    assert.equal(store.database.pragma('wal_autocheckpoint', { simple: true }), 0);
    const walBytes = (): number => statSync(`${store.file}-wal`).size;
    // without the thread: 3,000 entries of ~2 KB all stay in the WAL (SQLite would have copied them at 4 MB)
    let seq = 0;
    for (let b = 0; b < 30; b++) store.append(Array.from({ length: 100 }, () => entry(++seq)));
    const unchecked = walBytes();
    assert.ok(unchecked > 6_000_000, `the WAL holds every commit: ${unchecked} bytes`);

    const db = store.database;
    const wal = await startWalCheckpointer(store.file, { pollMs: 20, restartFrames: 10, finish: () => db.pragma('wal_checkpoint(PASSIVE)') });
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (const deadline = Date.now() + 10_000; !ok(); await sleep(10)) if (Date.now() > deadline) assert.fail(what);
    };
    try {
      // with it: the same volume again; the thread copies the WAL back, the writer's side finishes, and
      // the next commit starts the WAL over, so the file stops growing
      await until('the thread checkpointed the WAL', () => wal.stats().checkpoints >= 1);
      for (let b = 0; b < 30; b++) {
        const before = wal.stats().checkpoints;
        store.append(Array.from({ length: 100 }, () => entry(++seq)));
        await until('a checkpoint after the commit', () => wal.stats().checkpoints > before);
        await sleep(1); // the finishing checkpoint runs from a setImmediate
      }
      assert.ok(walBytes() <= unchecked, `the WAL was reused, not grown: ${walBytes()} vs ${unchecked}`);
      assert.ok(wal.stats().pages > 0);
      assert.ok(wal.stats().restarts >= 1, 'the writer\'s side finished a checkpoint');
    } finally {
      await wal.close();
    }
    assert.equal(store.lastSeq(), 6_000);
    assert.equal(store.decision('t5999')?.decision, '{"n":5999}');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: the process-durable writer answers at commit, readable at once; what is unsynced drains to nothing', async () => {
  const dir = tempDir();
  new SqliteStore(dir).close();
  const writer = startProcessDurableWriter(dir, { autoCheckpoint: false });
  const reader = new SqliteStore(dir);
  try {
    await writer.write([entry(1), entry(2)]);
    // committed (NORMAL: frames in the OS's hands) — another connection reads it before any fsync ended
    assert.equal(reader.lastSeq(), 2);
    for (let i = 3; i <= 200; i++) await writer.write([entry(i)]);
    assert.equal(reader.lastSeq(), 200);
    const deadline = Date.now() + 5_000;
    while (writer.unsynced().entries > 0 && Date.now() < deadline) await sleep(2);
    assert.deepEqual(writer.unsynced(), { entries: 0, ms: 0 });
    await assert.rejects(writer.write([entry(150)]), StoreError, 'out of order');
    await assert.rejects(writer.write([entry(201)]), StoreError, 'nothing after a failure');
  } finally {
    await writer.close();
    reader.close();
  }
  const db = new BetterSqlite3(join(dir, 'fengkong.db'));
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n, 200);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
