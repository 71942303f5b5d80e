// The payment index as the server runs it: a real worker thread filling a real SQLite index file,
// from the journal at start and after a gap, and from the payments the server tells it as they
// commit (TxIndex.told) in between — without opening the journal for those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FkEvent } from '../../src/contract/events.js';
import { TxIndex } from '../../src/accounts/tx-index.js';
import type { JournalEntry } from '../../src/log/journal.js';
import { openTxIndexReader } from '../../src/store/sqlite/accounts.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteWorkerAdapter } from '../../src/store/sqlite/worker-factory.js';
import { payment, registration } from '../store/contract/account-actions.js';

/** What the server tells the index of a journal entry: its seq and the event. */
function told(index: TxIndex, e: JournalEntry): void {
  index.told(e.seq, JSON.parse(e.event) as FkEvent);
}

test('the index follows the journal at start, then the payments told, and reads a gap from the journal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-txindex-live-'));
  const journal = new SqliteStore(dir);
  let index: TxIndex | null = null;
  try {
    journal.append([registration(1, 'A1'), payment(2, 'A1'), payment(3, 'A2')]);
    index = new TxIndex(openTxIndexReader(dir), sqliteWorkerAdapter(dir));
    await index.upTo(3);
    assert.deepEqual(index.reader.page('A1', Number.MAX_SAFE_INTEGER, 10), [2], 'from the journal at start');

    // committed and told: the journal holds account A1's payment 4, the server tells it as LIVE's,
    // so the page shows which of the two the worker indexed (the told rows, not the journal)
    const p4 = payment(4, 'A1');
    const p5 = payment(5, 'A2');
    journal.append([p4, p5]);
    told(index, payment(4, 'LIVE'));
    told(index, p5);
    await index.upTo(5);
    assert.deepEqual(index.reader.page('LIVE', Number.MAX_SAFE_INTEGER, 10), [4], 'the told payment, not re-read from the journal');
    assert.deepEqual(index.reader.page('A2', Number.MAX_SAFE_INTEGER, 10), [5, 3]);

    // seq 6 committed but never told (a gap): the worker reads it from the journal with what follows
    const p6 = payment(6, 'GAP');
    const p7 = payment(7, 'A2');
    journal.append([p6, p7]);
    told(index, p7);
    await index.upTo(7);
    assert.deepEqual(index.reader.page('GAP', Number.MAX_SAFE_INTEGER, 10), [6], 'the entry not told comes from the journal');
    assert.deepEqual(index.reader.page('A2', Number.MAX_SAFE_INTEGER, 10), [7, 5, 3]);
    assert.equal(index.reader.indexedSeq(), 7);
  } finally {
    await index?.close();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('payments told without a view asking are handed to the worker on their own within a moment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-txindex-hand-'));
  const journal = new SqliteStore(dir);
  let index: TxIndex | null = null;
  try {
    index = new TxIndex(openTxIndexReader(dir), sqliteWorkerAdapter(dir));
    await index.upTo(0);
    journal.append([registration(1, 'B1'), payment(2, 'B1'), payment(3, 'B1')]);
    // wait for the worker's start catch-up to finish first, so what follows can only come from told rows
    for (let i = 0; i < 100 && index.reader.indexedSeq() < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(index.reader.indexedSeq(), 3, 'the worker read the journal a second after its start');
    // the journal holds these as account J's; told as B2's, only the told rows can put B2 in the index
    journal.append([payment(4, 'J'), payment(5, 'J')]);
    for (const e of [payment(4, 'B2'), payment(5, 'B2')]) told(index, e);
    const until = Date.now() + 5_000;
    while (index.reader.indexedSeq() < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(index.reader.indexedSeq(), 5, 'handed over without upTo');
    assert.deepEqual(index.reader.page('B2', Number.MAX_SAFE_INTEGER, 10), [5, 4]);
    assert.deepEqual(index.reader.page('J', Number.MAX_SAFE_INTEGER, 10), []);
  } finally {
    await index?.close();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
