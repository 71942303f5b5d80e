// The journal's range read that backtests use (Journal.forEachEventInRange), on the SQLite adapter,
// and the read-only store a backtest opens beside the server's writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { handJournal, tempStore } from './backtest-fixture.js';

test('journal range read: seq bounds inclusive, type filter, early stop, same entries as forEachEvent', () => {
  const entries = handJournal();
  const { store, cleanup } = tempStore(entries);
  try {
    const seqs = (range: Parameters<SqliteStore['forEachEventInRange']>[0], stopAfter = Infinity): number[] => {
      const out: number[] = [];
      store.forEachEventInRange(range, (e) => {
        out.push(e.seq);
        return out.length < stopAfter;
      });
      return out;
    };
    assert.deepEqual(seqs({ fromSeq: 15, toSeq: 18 }), [15, 16, 17, 18]);
    assert.deepEqual(seqs({ fromSeq: 30 }), [30, 31, 32]);
    assert.deepEqual(seqs({ toSeq: 2 }), [1, 2]);
    assert.deepEqual(seqs({ fromSeq: 5, toSeq: 4 }), []);
    assert.deepEqual(seqs({ type: 'label' }), [24, 26, 29, 30, 31]);
    assert.deepEqual(seqs({ type: 'label', fromSeq: 27, toSeq: 30 }), [29, 30]);
    assert.deepEqual(seqs({}, 3), [1, 2, 3], 'returning false stops the read');
    const all: unknown[] = [];
    store.forEachEvent((e) => all.push(e));
    const ranged: unknown[] = [];
    store.forEachEventInRange({}, (e) => void ranged.push(e));
    assert.deepEqual(ranged, all);
    assert.deepEqual(ranged, entries);
  } finally {
    cleanup();
  }
});

test('read-only store: reads beside the writer, never writes, needs an existing file', () => {
  const { store, dir, cleanup } = tempStore(handJournal());
  try {
    const ro = new SqliteStore(dir, { readonly: true });
    assert.equal(ro.lastSeq(), 32);
    assert.equal(JSON.parse(ro.decision('t4')!.decision).outcome, 'review');
    assert.throws(() => ro.append([{ seq: 33, type: 'label', txId: null, event: '{}', decision: null, receivedAt: 0 }]), StoreError);
    // the writer goes on; the reader sees the new commit on its next read
    store.append([{ seq: 33, type: 'label', txId: null, event: '{}', decision: null, receivedAt: 0 }]);
    assert.equal(ro.lastSeq(), 33);
    ro.close();
    assert.throws(() => new SqliteStore(`${dir}/missing`, { readonly: true }), StoreError);
  } finally {
    cleanup();
  }
});
