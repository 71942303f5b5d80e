// The JetStream journal writer of one partition, against the real NATS server: order, byte-identical
// entries, merging of queued batches, the expected-sequence fence, and deduplication by Msg-Id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionLostError, StoreError } from '../../../src/errors.js';
import { startJetStreamJournalWriter } from '../../../src/store/nats/journal-writer.js';
import { encodeJournalMessage } from '../../../src/store/nats/journal-message.js';
import { lastJournalSeq, readJournal } from '../../../src/store/nats/journal-reader.js';
import { packBatch } from '../../../src/log/journal-pack.js';
import { errors as natsErrors } from '@nats-io/transport-node';
import { collect, entries, secondNode, testCluster } from './harness.js';

test('batches are appended as one message each and read back in order, byte-identical', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 3 });
  assert.equal(w.startSeq, 0);
  const written = [...entries(1, 4), ...entries(5, 1), ...entries(6, 10)];
  await w.write(written.slice(0, 4));
  await w.write(written.slice(4, 5));
  await w.write(written.slice(5));
  await w.close();
  assert.deepEqual(await collect(readJournal(c, 3)), written);
  assert.deepEqual(await lastJournalSeq(c, 3), { seq: 15, streamSeq: 3 });
  const info = await c.jsm.streams.info(c.names.stream, { subjects_filter: c.names.journalSubject(3) });
  assert.equal(info.state.messages, 3, 'one message per batch');
  // another partition of the same cluster is its own journal
  assert.deepEqual(await collect(readJournal(c, 4)), []);
  const w4 = await startJetStreamJournalWriter({ cluster: c, partition: 4 });
  await w4.write(entries(1, 2));
  assert.deepEqual(await collect(readJournal(c, 4)), entries(1, 2));
  assert.deepEqual(await collect(readJournal(c, 3)), written);
  await w4.close();
});

test('writes called together complete in call order; queued batches share a message', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  const done: number[] = [];
  const all = entries(1, 50);
  const writes = [];
  for (let i = 0; i < 10; i++) writes.push(w.write(all.slice(i * 5, i * 5 + 5)).then(() => done.push(i)));
  await Promise.all(writes);
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await collect(readJournal(c, 0)), all);
  const info = await c.jsm.streams.info(c.names.stream);
  assert.ok(info.state.messages < 10, `queued batches merged: ${info.state.messages} messages for 10 writes`);
  // a restarted writer continues where the journal ends
  await w.close();
  const again = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  assert.equal(again.startSeq, 50);
  await again.write(entries(51, 1));
  // a batch that would leave a gap fails after the writes before it, and takes every later one with it
  const order: string[] = [];
  const before = again.write(entries(52, 1)).then(() => order.push('52 stored'));
  const gap = again.write(entries(60, 1)).catch((e: Error) => order.push(e instanceof StoreError && /cannot follow seq 52/.test(e.message) ? 'gap refused' : e.message));
  const after = again.write(entries(53, 1)).catch((e: Error) => order.push(e instanceof StoreError ? 'later refused' : e.message));
  await Promise.all([before, gap, after]);
  assert.deepEqual(order, ['52 stored', 'gap refused', 'later refused']);
  await assert.rejects(again.write(entries(53, 1)), StoreError, 'after a failure every later write fails');
  assert.equal((await lastJournalSeq(c, 0)).seq, 52);
});

test('the fence: after a second writer appends, the first one is refused, and so is everything after', async (t) => {
  const c = await testCluster(t);
  const other = await secondNode(t, c);
  const a = await startJetStreamJournalWriter({ cluster: c, partition: 1 });
  await a.write(entries(1, 3));
  const b = await startJetStreamJournalWriter({ cluster: other, partition: 1 });
  assert.equal(b.startSeq, 3);
  await b.write(entries(4, 2));
  const refused = a.write(entries(4, 1));
  const later = a.write(entries(5, 1));
  await assert.rejects(refused, (e: Error) => e instanceof PartitionLostError && e.partition === 1 && /FK5008/.test(e.message) && /taken over/.test(e.message));
  await assert.rejects(later, PartitionLostError);
  await assert.rejects(a.write(entries(6, 1)), PartitionLostError);
  await b.write(entries(6, 1));
  assert.deepEqual(await collect(readJournal(c, 1)), [...entries(1, 3), ...entries(4, 2), ...entries(6, 1)]);
});

test('the fence holds when the successor stored the same first seq (same Msg-Id): no false duplicate', async (t) => {
  const c = await testCluster(t);
  const a = await startJetStreamJournalWriter({ cluster: c, partition: 2 });
  const b = await startJetStreamJournalWriter({ cluster: c, partition: 2 });
  await b.write(entries(1, 2));
  // A believes the journal is empty too and sends entries 1..3 with Msg-Id 2:1, the id B's message has:
  // JetStream answers "duplicate" (it checks Msg-Ids before the expected sequence), and only the
  // writer id in the stored message tells A that it is not its own
  await assert.rejects(a.write(entries(1, 3)), (e: Error) => e instanceof PartitionLostError && /another writer already stored entries from 1/.test(e.message));
  assert.deepEqual(await collect(readJournal(c, 2)), entries(1, 2));
});

test('a re-sent batch with the same Msg-Id is stored once', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 7 });
  await w.write(entries(1, 3));
  const seqBefore = w.lastSubjectSeq;
  // the same message again, as a writer re-sends it when a PubAck is lost: same Msg-Id, same expectation
  const subject = c.names.journalSubject(7);
  const { headers, payload } = encodeJournalMessage(packBatch(entries(1, 3)), 1, 3, 'w', null);
  const ack = await c.js.publish(subject, payload, { headers, msgID: '7:1', expect: { lastSubjectSequence: 0 } });
  assert.equal(ack.duplicate, true);
  assert.equal(ack.seq, seqBefore);
  const info = await c.jsm.streams.info(c.names.stream);
  assert.equal(info.state.messages, 1);
  await w.write(entries(4, 1));
  assert.deepEqual(await collect(readJournal(c, 7)), entries(1, 4));
});

test('a writer started after a replay is fenced from that point: an append made since is not skipped', async (t) => {
  const c = await testCluster(t);
  const old = await startJetStreamJournalWriter({ cluster: c, partition: 8 });
  await old.write(entries(1, 2));
  // the successor replays to the end, then the deposed owner still gets one append in
  const replayed = await collect(readJournal(c, 8));
  const end = await lastJournalSeq(c, 8);
  assert.deepEqual(end, { seq: 2, streamSeq: 1 });
  await old.write(entries(3, 1));
  const next = await startJetStreamJournalWriter({ cluster: c, partition: 8, after: end });
  assert.equal(next.startSeq, replayed.length);
  await assert.rejects(next.write(entries(3, 1)), (e: Error) => e instanceof PartitionLostError && /taken over/.test(e.message));
});

test('a lost PubAck: the writer re-sends with the same Msg-Id, the batch is stored once and the write succeeds', async (t) => {
  const c = await testCluster(t);
  let publishes = 0;
  // the first append reaches JetStream but its PubAck is "lost" (a timeout), as on a flaky link
  const js = new Proxy(c.js, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<typeof target.publish>) => {
        const ack = await target.publish(...args);
        if (++publishes === 1) throw new natsErrors.TimeoutError();
        return ack;
      };
    },
  });
  const w = await startJetStreamJournalWriter({ cluster: { ...c, js }, partition: 9 });
  await w.write(entries(1, 4));
  await w.write(entries(5, 1));
  assert.equal(publishes, 3, 'one re-send');
  assert.deepEqual(await collect(readJournal(c, 9)), entries(1, 5));
  assert.equal((await c.jsm.streams.info(c.names.stream)).state.messages, 2, 'stored once');
});

test('close waits for the writes in flight; a write after it is refused', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  const pending = [w.write(entries(1, 3)), w.write(entries(4, 3))];
  await w.close();
  await Promise.all(pending);
  assert.equal((await lastJournalSeq(c, 0)).seq, 6);
  await assert.rejects(w.write(entries(7, 1)), (e: Error) => e instanceof StoreError && /is closed/.test(e.message));
});
