// Long journal reads shared with a reader thread (store/sqlite/read-ahead.ts): on a real file,
// sealed and in clear, every entry comes once, in seq order, byte for byte what a read on one
// thread gives — whole journal, sub-ranges, type filters, an early stop — however the two threads
// happen to split the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setEncryption } from '../../../src/store/sqlite/crypt.js';
import { READ_AHEAD_MIN_ENTRIES } from '../../../src/store/sqlite/read-ahead.js';
import { EntryPacker, unpackEntries } from '../../../src/store/sqlite/read-ahead-batch.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { JournalEntry, JournalRange } from '../../../src/log/journal.js';

const N = READ_AHEAD_MIN_ENTRIES + 9_000;

/** A journal of N entries: payments with decisions (non-ASCII text too), accounts without. */
function fill(dir: string, sealed: boolean): void {
  setEncryption(dir, { enabled: sealed });
  const store = new SqliteStore(dir);
  const batch: JournalEntry[] = [];
  for (let seq = 1; seq <= N; seq++) {
    const payment = seq % 3 !== 0;
    batch.push({
      seq,
      type: payment ? 'transaction' : 'account',
      txId: payment ? `tx-${seq}` : null,
      event: JSON.stringify({ n: seq, name: seq % 7 === 0 ? '上海便利店 №7' : 'shop', ip: `10.0.${seq % 250}.${seq % 200}` }),
      decision: payment ? JSON.stringify({ outcome: seq % 11 === 0 ? 'review' : 'approve', score: seq % 100 }) : null,
      receivedAt: 1_700_000_000_000 + seq,
    });
    if (batch.length === 1_000) {
      store.append(batch);
      batch.length = 0;
    }
  }
  store.append(batch);
  store.close();
}

function read(dir: string, readAhead: boolean, range: JournalRange | null, stopAt = Infinity): JournalEntry[] {
  const store = new SqliteStore(dir, { readonly: true, readAhead });
  const out: JournalEntry[] = [];
  try {
    const cb = (e: JournalEntry): boolean => {
      out.push(e);
      return out.length < stopAt;
    };
    if (range === null) store.forEachEvent(cb);
    else store.forEachEventInRange(range, cb);
  } finally {
    store.close();
  }
  return out;
}

for (const sealed of [true, false]) {
  test(`read-ahead (${sealed ? 'sealed' : 'clear'}): long reads equal a read on one thread`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-read-ahead-'));
    try {
      fill(dir, sealed);
      const cases: [string, JournalRange | null, number][] = [
        ['whole journal', null, Infinity],
        ['from a seq', { fromSeq: 4_321, whole: true }, Infinity],
        ['a bounded range', { fromSeq: 17, toSeq: N - 5, whole: true }, Infinity],
        ['payments only', { type: 'transaction', whole: true }, Infinity],
        ['all but payments', { exceptType: 'transaction', whole: true }, Infinity],
        ['stopped early', { whole: true }, 23_456],
      ];
      for (const [name, range, stopAt] of cases) {
        const one = read(dir, false, range, stopAt);
        const two = read(dir, true, range, stopAt);
        assert.equal(two.length, one.length, `${name}: as many entries`);
        assert.deepEqual(two, one, `${name}: the same entries in the same order`);
      }
      // with the thread booted ahead and given time to load, and work to do per entry here (as a
      // replay has), the thread reads part of the journal
      const store = new SqliteStore(dir, { readonly: true });
      try {
        store.prepareLongRead();
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_500);
        const got: JournalEntry[] = [];
        let work = 0;
        store.forEachEvent((e) => {
          for (let i = 0; i < 20; i++) work += (JSON.parse(e.event) as { n: number }).n;
          got.push(e);
        });
        assert.ok(work > 0);
        assert.deepEqual(got, read(dir, false, null));
        const split = store.lastLongRead;
        // how much each side reads depends on the machine's load; that the thread's batches were
        // merged at all is what this read must show (the equality above shows they were merged right)
        assert.ok(split !== null && split.thread > 0, `the thread read ${JSON.stringify(split)} of ${N}`);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('read-ahead: a packed batch carries every field, nulls and non-ASCII text, through a growing buffer', () => {
  const packer = new EntryPacker(4);
  const big = 'x'.repeat(5_000); // more than the initial room: the buffer grows
  packer.add(1, 'transaction', 'tx-1', Buffer.from('{"a":"上海"}'), '{"outcome":"approve"}', 11);
  packer.add(2, 'account', null, big, null, 12);
  const out: JournalEntry[] = [];
  unpackEntries(packer.take(), out);
  assert.deepEqual(out, [
    { seq: 1, type: 'transaction', txId: 'tx-1', event: '{"a":"上海"}', decision: '{"outcome":"approve"}', receivedAt: 11 },
    { seq: 2, type: 'account', txId: null, event: big, decision: null, receivedAt: 12 },
  ]);
  assert.equal(packer.size, 0);
});
