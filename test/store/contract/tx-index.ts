// The contract every payment index adapter passes (TxIndexReader and TxIndexWriter): the writer
// catches up with the journal a bounded step at a time, the reader pages an account's payments
// newest first and knows how far the index is complete, and a restart keeps the index.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TxIndexReader, TxIndexWriter } from '../../../src/accounts/store.js';
import type { Journal, JournalEntry } from '../../../src/log/journal.js';
import { payment, registration } from './account-actions.js';
import { contractIt, type Open } from './harness.js';

/** The journal the index follows, the main thread's reader, and the worker's writer. */
export interface TxIndexUnderTest {
  readonly journal: Journal;
  readonly reader: TxIndexReader;
  readonly writer: TxIndexWriter;
}

/** A payment at a merchant code (the account suite's payments carry none). */
function paymentAt(seq: number, account: string, merchant: string): JournalEntry {
  const p = payment(seq, account);
  const event = { ...(JSON.parse(p.event) as Record<string, unknown>), merchantId: merchant, terminalId: `${merchant}-T1` };
  return { ...p, event: JSON.stringify(event) };
}

function catchUp(w: TxIndexWriter): number[] {
  const steps: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = w.step();
    steps.push(r.indexed);
    if (r.done) return steps;
  }
  throw new Error('the writer never caught up');
}

/** Registers the payment index suite for one adapter. */
export function txIndexContract(name: string, open: Open<TxIndexUnderTest>): void {
  describe(`TxIndex contract: ${name}`, () => {
    contractIt(open, 'an empty journal is indexed at once', (_h, { reader, writer }) => {
      assert.equal(reader.indexedSeq(), 0);
      assert.deepEqual(writer.step(), { indexed: 0, done: true });
      assert.deepEqual(reader.page('A1', Number.MAX_SAFE_INTEGER, 10), []);
    });

    contractIt(open, 'indexes payments by account; pages newest first below a seq', (_h, { journal, reader, writer }) => {
      journal.append([registration(1, 'A1'), payment(2, 'A1'), payment(3, 'A2'), payment(4, 'A1'), payment(5, 'A1')]);
      assert.deepEqual(catchUp(writer).at(-1), 5);
      assert.equal(reader.indexedSeq(), 5, 'the reader sees how far the writer got');
      assert.deepEqual(reader.page('A1', Number.MAX_SAFE_INTEGER, 10), [5, 4, 2]);
      assert.deepEqual(reader.page('A1', 5, 1), [4]);
      assert.deepEqual(reader.page('A1', 4, 10), [2]);
      assert.deepEqual(reader.page('A2', 10, 10), [3]);
      journal.append([payment(6, 'A2')]);
      assert.equal(reader.indexedSeq(), 5, 'complete up to where it was, until the writer steps');
      assert.deepEqual(writer.step(), { indexed: 6, done: true });
      assert.deepEqual(reader.page('A2', 10, 10), [6, 3]);
    });

    contractIt(open, 'indexes payments by merchant code too; pages newest first below a seq, bounded', (_h, { journal, reader, writer }) => {
      journal.append([registration(1, 'A1'), paymentAt(2, 'A1', 'M1'), paymentAt(3, 'A2', 'M2'), paymentAt(4, 'A2', 'M1'), payment(5, 'A1'), paymentAt(6, 'A3', 'M1')]);
      catchUp(writer);
      assert.deepEqual(reader.merchantPage('M1', Number.MAX_SAFE_INTEGER, 10), [6, 4, 2]);
      assert.deepEqual(reader.merchantPage('M1', Number.MAX_SAFE_INTEGER, 2), [6, 4], 'at most limit');
      assert.deepEqual(reader.merchantPage('M1', 4, 10), [2]);
      assert.deepEqual(reader.merchantPage('M2', 10, 10), [3]);
      assert.deepEqual(reader.merchantPage('M9', 10, 10), []);
      assert.deepEqual(reader.page('A2', 10, 10), [4, 3], 'the account index is unchanged');
    });

    contractIt(open, 'a long journal is indexed in steps that only move forward', (_h, { journal, reader, writer }) => {
      const batch: JournalEntry[] = [];
      for (let seq = 1; seq <= 5_000; seq++) batch.push(payment(seq, `A${seq % 7}`));
      journal.append(batch);
      const steps = catchUp(writer);
      assert.ok(steps.length > 1, 'more than one step');
      assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]));
      assert.equal(steps.at(-1), 5_000);
      assert.equal(reader.page('A3', Number.MAX_SAFE_INTEGER, 5_000).length, 714);
    });

    contractIt(open, 'rows told by the server continue the index without the journal; a gap is refused, changing nothing', (_h, { journal, reader, writer }) => {
      journal.append([registration(1, 'A1'), paymentAt(2, 'A1', 'M1')]);
      catchUp(writer);
      // told rows: seqs 3..5, payments at 3 and 5 (4 is no payment); the journal is not read for them
      assert.deepEqual(writer.record({ from: 3, to: 5, seqs: [3, 5], accounts: ['A2', 'A1'], merchants: ['M1', ''] }), { indexed: 5, applied: true });
      assert.equal(reader.indexedSeq(), 5);
      assert.deepEqual(reader.page('A1', Number.MAX_SAFE_INTEGER, 10), [5, 2]);
      assert.deepEqual(reader.page('A2', Number.MAX_SAFE_INTEGER, 10), [3]);
      assert.deepEqual(reader.merchantPage('M1', Number.MAX_SAFE_INTEGER, 10), [3, 2], "a payment naming no merchant code is in the account's list only");
      // rows already indexed (a batch sent twice, or overlapping a catch-up) change nothing and are not doubled
      assert.deepEqual(writer.record({ from: 4, to: 5, seqs: [5], accounts: ['A1'], merchants: [''] }), { indexed: 5, applied: true });
      assert.deepEqual(writer.record({ from: 5, to: 6, seqs: [5, 6], accounts: ['A1', 'A1'], merchants: ['', ''] }), { indexed: 6, applied: true });
      assert.deepEqual(reader.page('A1', Number.MAX_SAFE_INTEGER, 10), [6, 5, 2]);
      // seqs 7..8 were never told: rows from 9 on do not continue the index
      assert.deepEqual(writer.record({ from: 9, to: 9, seqs: [9], accounts: ['A3'], merchants: ['M3'] }), { indexed: 6, applied: false });
      assert.equal(reader.indexedSeq(), 6);
      assert.deepEqual(reader.page('A3', Number.MAX_SAFE_INTEGER, 10), []);
    });

    contractIt(open, 'the index survives a reopen', async (h, { journal, writer }) => {
      journal.append([payment(1, 'A1'), payment(2, 'A1')]);
      catchUp(writer);
      const again = await h.reopen();
      assert.equal(again.reader.indexedSeq(), 2);
      assert.deepEqual(again.reader.page('A1', 10, 10), [2, 1]);
      assert.deepEqual(again.writer.step(), { indexed: 2, done: true });
    });
  });
}
