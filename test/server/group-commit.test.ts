// Group commit on a scripted writer: one write per tick when idle, the next batch grows while one
// is being written, callbacks only after durability, strict order, and fail-stop on an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { GroupCommit } from '../../src/server/group-commit.js';
import type { JournalEntry, JournalWriter } from '../../src/log/journal.js';

/** A writer whose writes complete only when the test says so. */
function scripted() {
  const writes: { batch: JournalEntry[]; done: () => void; fail: (e: Error) => void }[] = [];
  const writer: JournalWriter = {
    write: (batch) =>
      new Promise<void>((resolve, reject) => writes.push({ batch: [...batch], done: resolve, fail: reject })),
    close: async () => {},
  };
  return { writer, writes };
}

test('entries of one tick share one write; answers wait for it', async () => {
  const { writer, writes } = scripted();
  const sizes: number[] = [];
  const gc = new GroupCommit(writer, 41, { onCommit: (n) => sizes.push(n) });
  const done: number[] = [];
  for (let i = 0; i < 3; i++) {
    const b = gc.add('transaction', `t${i}`, '{}', '{}');
    gc.whenCommitted(b, (err) => {
      assert.equal(err, null);
      done.push(i);
    });
  }
  assert.equal(gc.pendingEntries, 3);
  await tick();
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0].batch.map((e) => e.seq), [42, 43, 44]);
  assert.deepEqual(done, [], 'nothing answered before the commit');
  writes[0].done();
  await tick();
  assert.deepEqual(done, [0, 1, 2]);
  assert.deepEqual(sizes, [3]);
  assert.equal(gc.pendingEntries, 0);
  assert.equal(gc.lastSeq, 44);
});

test('with one batch in flight, the next one grows while it is written, and commits after it', async () => {
  const { writer, writes } = scripted();
  const gc = new GroupCommit(writer, 0, {}, 1);
  const order: string[] = [];
  gc.whenCommitted(gc.add('merchant', null, '{}', null), () => order.push('a'));
  await tick();
  assert.equal(writes.length, 1);
  for (const id of ['b', 'c', 'd']) gc.whenCommitted(gc.add('transaction', id, '{}', '{}'), () => order.push(id));
  await tick();
  await tick();
  assert.equal(writes.length, 1, 'at most one write in flight');
  writes[0].done();
  await tick();
  await tick();
  assert.equal(writes.length, 2);
  assert.deepEqual(writes[1].batch.map((e) => e.txId), ['b', 'c', 'd']);
  assert.deepEqual(order, ['a']);
  writes[1].done();
  await gc.flush();
  assert.deepEqual(order, ['a', 'b', 'c', 'd']);
});

test('several batches in flight complete in order; answers follow the journal order', async () => {
  const { writer, writes } = scripted();
  const gc = new GroupCommit(writer, 0, {}, 2);
  const order: string[] = [];
  gc.whenCommitted(gc.add('transaction', 'a', '{}', '{}'), () => order.push('a'));
  await tick();
  gc.whenCommitted(gc.add('transaction', 'b', '{}', '{}'), () => order.push('b'));
  await tick();
  gc.whenCommitted(gc.add('transaction', 'c', '{}', '{}'), () => order.push('c'));
  await tick();
  assert.equal(writes.length, 2, 'two in flight, the third waits');
  assert.equal(gc.pendingEntries, 3);
  writes[0].done();
  await tick();
  await tick();
  assert.deepEqual(order, ['a']);
  assert.equal(writes.length, 3);
  writes[1].done();
  writes[2].done();
  await gc.flush();
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('a failed write fails its batch and every later one, and stops the journal', async () => {
  const { writer, writes } = scripted();
  let stopped: Error | null = null;
  const gc = new GroupCommit(writer, 0, { onFail: (e) => (stopped = e) });
  const errors: (Error | null)[] = [];
  gc.whenCommitted(gc.add('transaction', 'x', '{}', '{}'), (e) => errors.push(e));
  await tick();
  gc.whenCommitted(gc.add('transaction', 'y', '{}', '{}'), (e) => errors.push(e));
  await tick();
  gc.whenCommitted(gc.add('transaction', 'z0', '{}', '{}'), (e) => errors.push(e));
  writes[0].fail(new Error('disk full'));
  await tick();
  writes[1].done(); // a later batch the writer somehow stored must still not be answered
  await tick();
  assert.equal(errors.length, 3);
  assert.ok(errors.every((e) => e?.message === 'disk full'));
  assert.equal((stopped as Error | null)?.message, 'disk full');
  assert.throws(() => gc.add('transaction', 'z', '{}', '{}'), /disk full/);
  await assert.rejects(gc.flush(), /disk full/);
});
