// The contract every Journal + KeyStore adapter must pass (SQLite now, PostgreSQL later): run it
// from an adapter's own test file with a harness that opens the adapter on a fresh location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyStore } from '../../src/keys/store.js';
import type { Journal, JournalEntry } from '../../src/log/journal.js';

type Store = Journal & KeyStore;

/** Opens the adapter under test; every call of `open` reaches the SAME underlying data. */
export interface StoreHarness {
  open(): Store;
  /** Removes the location; called once at the end of each test. */
  cleanup(): void;
}

function tx(seq: number, id: string, outcome = 'approve'): JournalEntry {
  return {
    seq,
    type: 'transaction',
    txId: id,
    event: JSON.stringify({ type: 'transaction', id, ts: '2026-11-24T21:05:09+08:00' }),
    decision: JSON.stringify({ txId: id, outcome, score: seq / 10, reasons: [] }),
    receivedAt: 1_700_000_000_000 + seq,
  };
}

function other(seq: number): JournalEntry {
  return {
    seq,
    type: 'merchant',
    txId: null,
    event: JSON.stringify({ type: 'merchant', merchantId: `M${seq}`, acquirerId: 'A', ts: '2026-01-01T00:00:00Z' }),
    decision: null,
    receivedAt: 1_700_000_000_000 + seq,
  };
}

function all(s: Store): JournalEntry[] {
  const out: JournalEntry[] = [];
  s.forEachEvent((e) => out.push(e));
  return out;
}

/** Registers the whole suite for one adapter. */
export function journalContract(name: string, harness: () => StoreHarness): void {
  const withStore = (title: string, fn: (h: StoreHarness, s: Store) => void): void => {
    test(`${name}: ${title}`, () => {
      const h = harness();
      const s = h.open();
      try {
        fn(h, s);
      } finally {
        s.close();
        h.cleanup();
      }
    });
  };

  withStore('a new journal is empty', (_h, s) => {
    assert.equal(s.lastSeq(), 0);
    assert.deepEqual(all(s), []);
    assert.equal(s.decision('nope'), undefined);
    assert.equal(s.findKey('0'.repeat(64)), undefined);
  });

  withStore('appends batches and streams them back in seq order, unchanged', (_h, s) => {
    const first = [other(1), tx(2, 'a'), tx(3, 'b', 'decline')];
    const second = [other(4), tx(5, 'c', 'review')];
    s.append(first);
    s.append([]);
    s.append(second);
    assert.equal(s.lastSeq(), 5);
    assert.deepEqual(all(s), [...first, ...second]);
  });

  withStore('reads a seq range, of one type or of every type but one, and stops when told', (_h, s) => {
    const es = [other(1), tx(2, 'a'), other(3), tx(4, 'b'), other(5)];
    s.append(es);
    const read = (range: Parameters<Store['forEachEventInRange']>[0], stopAt = Infinity): number[] => {
      const seqs: number[] = [];
      s.forEachEventInRange(range, (e) => {
        seqs.push(e.seq);
        return e.seq < stopAt;
      });
      return seqs;
    };
    assert.deepEqual(read({ fromSeq: 2, toSeq: 4 }), [2, 3, 4]);
    assert.deepEqual(read({ type: 'transaction' }), [2, 4]);
    assert.deepEqual(read({ exceptType: 'transaction' }), [1, 3, 5]);
    assert.deepEqual(read({ fromSeq: 2, toSeq: 4, exceptType: 'transaction' }), [3]);
    assert.deepEqual(read({ fromSeq: 1 }, 3), [1, 2, 3]);
    assert.deepEqual(read({ type: 'merchant', exceptType: 'transaction' }), [1, 3, 5]);
  });

  withStore('finds a decision by transaction id, byte for byte', (_h, s) => {
    const e = tx(1, 'tx-ü/ 1', 'challenge');
    s.append([e, other(2)]);
    assert.deepEqual(s.decision('tx-ü/ 1'), { seq: 1, txId: 'tx-ü/ 1', decision: e.decision });
    assert.equal(s.decision('tx-other'), undefined);
  });

  withStore('a batch is atomic: one bad entry stores none of it', (_h, s) => {
    s.append([tx(1, 'a')]);
    assert.throws(() => s.append([tx(2, 'b'), tx(3, 'a')]));
    assert.equal(s.lastSeq(), 1);
    assert.equal(s.decision('b'), undefined);
    assert.equal(all(s).length, 1);
    s.append([tx(2, 'b')]);
    assert.equal(s.lastSeq(), 2);
  });

  withStore('refuses a batch that does not continue the sequence', (_h, s) => {
    s.append([tx(1, 'a')]);
    assert.throws(() => s.append([tx(3, 'c')]), /seq/);
    assert.throws(() => s.append([tx(1, 'z')]));
    assert.equal(s.lastSeq(), 1);
  });

  withStore('what one connection committed, another sees and a reopen keeps', (h, s) => {
    const reader = h.open();
    try {
      s.append([tx(1, 'a'), other(2)]);
      assert.equal(reader.lastSeq(), 2);
      assert.equal(reader.decision('a')?.seq, 1);
    } finally {
      reader.close();
    }
    s.close();
    const again = h.open();
    try {
      assert.equal(again.lastSeq(), 2);
      assert.deepEqual(all(again), [tx(1, 'a'), other(2)]);
    } finally {
      again.close();
    }
  });

  withStore('stores key hashes with their role, once', (_h, s) => {
    const hash = 'ab'.repeat(32);
    const k = s.createKey(hash, 'analyst');
    assert.equal(k.role, 'analyst');
    assert.equal(s.findKey(hash)?.role, 'analyst');
    assert.ok(Math.abs((s.findKey(hash)?.createdAt ?? 0) - Date.now()) < 60_000);
    assert.throws(() => s.createKey(hash, 'admin'));
    assert.equal(s.findKey(hash)?.role, 'analyst');
    assert.equal(s.findKey('cd'.repeat(32)), undefined);
  });

  withStore('streams a large journal without losing order', (_h, s) => {
    let seq = 0;
    for (let b = 0; b < 20; b++) {
      const batch: JournalEntry[] = [];
      for (let i = 0; i < 100; i++) {
        seq++;
        batch.push(seq % 3 === 0 ? other(seq) : tx(seq, `t${seq}`));
      }
      s.append(batch);
    }
    let expect = 1;
    s.forEachEvent((e) => assert.equal(e.seq, expect++));
    assert.equal(expect, 2001);
  });
}
