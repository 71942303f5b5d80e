// The contract every Journal adapter passes (SQLite now, PostgreSQL later): the durable, gapless,
// append-only record of accepted events that recovery replays. Through the port only.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Journal, JournalEntry, JournalRange } from '../../../src/log/journal.js';
import { anotherOf, contractIt, type Open } from './harness.js';

/** A transaction entry answered with `outcome`. */
export function tx(seq: number, id: string, outcome = 'approve'): JournalEntry {
  return {
    seq,
    type: 'transaction',
    txId: id,
    event: JSON.stringify({ type: 'transaction', id, ts: '2026-11-24T21:05:09+08:00' }),
    decision: JSON.stringify({ txId: id, outcome, score: seq / 10, reasons: [] }),
    receivedAt: 1_700_000_000_000 + seq,
  };
}

/** An entry of another type (no transaction id, no decision). */
export function other(seq: number): JournalEntry {
  return {
    seq,
    type: 'merchant',
    txId: null,
    event: JSON.stringify({ type: 'merchant', merchantId: `M${seq}`, acquirerId: 'A', ts: '2026-01-01T00:00:00Z' }),
    decision: null,
    receivedAt: 1_700_000_000_000 + seq,
  };
}

function all(s: Journal): JournalEntry[] {
  const out: JournalEntry[] = [];
  s.forEachEvent((e) => out.push(e));
  return out;
}

function seqsIn(s: Journal, range: JournalRange, stopAt = Infinity): number[] {
  const seqs: number[] = [];
  s.forEachEventInRange(range, (e) => {
    seqs.push(e.seq);
    return e.seq < stopAt;
  });
  return seqs;
}

/** Registers the Journal suite for one adapter. */
export function journalContract(name: string, open: Open<Journal>): void {
  describe(`Journal contract: ${name}`, () => {
    contractIt(open, 'a new journal is empty', (_h, s) => {
      assert.equal(s.lastSeq(), 0);
      assert.deepEqual(all(s), []);
      assert.deepEqual(seqsIn(s, {}), []);
      assert.equal(s.decision('nope'), undefined);
    });

    contractIt(open, 'appends batches and streams them back in seq order, unchanged; an empty batch is nothing', (_h, s) => {
      const first = [other(1), tx(2, 'a'), tx(3, 'b', 'decline')];
      const second = [other(4), tx(5, 'c', 'review')];
      s.append(first);
      s.append([]);
      s.append(second);
      assert.equal(s.lastSeq(), 5);
      assert.deepEqual(all(s), [...first, ...second]);
    });

    contractIt(open, 'reads a seq range, of one type or of every type but one, and stops when told', (_h, s) => {
      s.append([other(1), tx(2, 'a'), other(3), tx(4, 'b'), other(5)]);
      assert.deepEqual(seqsIn(s, { fromSeq: 2, toSeq: 4 }), [2, 3, 4]);
      assert.deepEqual(seqsIn(s, { type: 'transaction' }), [2, 4]);
      assert.deepEqual(seqsIn(s, { exceptType: 'transaction' }), [1, 3, 5]);
      assert.deepEqual(seqsIn(s, { fromSeq: 2, toSeq: 4, exceptType: 'transaction' }), [3]);
      assert.deepEqual(seqsIn(s, { fromSeq: 1 }, 3), [1, 2, 3]);
      assert.deepEqual(seqsIn(s, { type: 'merchant', exceptType: 'transaction' }), [1, 3, 5]);
      assert.deepEqual(seqsIn(s, { fromSeq: 4, toSeq: 3 }), [], 'an empty interval reads nothing');
      assert.deepEqual(seqsIn(s, { fromSeq: 6 }), [], 'past the end reads nothing');
      const entries: JournalEntry[] = [];
      s.forEachEventInRange({ fromSeq: 2, toSeq: 2 }, (e) => void entries.push(e));
      assert.deepEqual(entries, [tx(2, 'a')], 'a range read returns the entries unchanged');
    });

    contractIt(open, 'finds a decision by transaction id, byte for byte', (_h, s) => {
      const e = tx(1, 'tx-ü/ 1', 'challenge');
      s.append([e, other(2)]);
      assert.deepEqual(s.decision('tx-ü/ 1'), { seq: 1, txId: 'tx-ü/ 1', event: e.event, decision: e.decision });
      assert.equal(s.decision('tx-other'), undefined);
    });

    contractIt(open, 'a batch is atomic: a transaction id already journaled stores none of it', (_h, s) => {
      s.append([tx(1, 'a')]);
      assert.throws(() => s.append([tx(2, 'b'), tx(3, 'a')]));
      assert.equal(s.lastSeq(), 1);
      assert.equal(s.decision('b'), undefined);
      assert.equal(all(s).length, 1);
      s.append([tx(2, 'b')]);
      assert.equal(s.lastSeq(), 2);
    });

    contractIt(open, 'refuses a batch that does not continue the sequence', (_h, s) => {
      s.append([tx(1, 'a')]);
      assert.throws(() => s.append([tx(3, 'c')]), /seq/);
      assert.throws(() => s.append([tx(1, 'z')]));
      assert.equal(s.lastSeq(), 1);
      assert.deepEqual(all(s), [tx(1, 'a')]);
    });

    contractIt(open, 'what one handle committed, another sees at once, and a reopen keeps', async (h, s) => {
      const reader = await anotherOf(h);
      s.append([tx(1, 'a'), other(2)]);
      assert.equal(reader.lastSeq(), 2);
      assert.equal(reader.decision('a')?.seq, 1);
      assert.throws(() => reader.append([tx(2, 'x')]), 'a batch must continue the journal, whichever handle appends it');
      const again = await h.reopen();
      assert.equal(again.lastSeq(), 2);
      assert.deepEqual(all(again), [tx(1, 'a'), other(2)]);
      again.append([tx(3, 'c')]);
      assert.equal(again.decision('c')?.seq, 3);
    });

    contractIt(open, 'streams a large journal without losing order', (_h, s) => {
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
      assert.deepEqual(seqsIn(s, { fromSeq: 1996, exceptType: 'transaction' }), [1998]);
    });

    contractIt(open, 'a closed journal refuses further calls', async (h) => {
      const second = await anotherOf(h);
      second.close();
      assert.throws(() => second.lastSeq());
    });
  });
}
