// Reading a partition's journal back from JetStream: from a middle seq, up to a bound, and a gap
// (a crafted message that jumps) as a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../../src/errors.js';
import { packBatch } from '../../../src/log/journal-pack.js';
import { encodeJournalMessage } from '../../../src/store/nats/journal-message.js';
import { startJetStreamJournalWriter } from '../../../src/store/nats/journal-writer.js';
import { lastJournalSeq, readJournal } from '../../../src/store/nats/journal-reader.js';
import { collect, entries, testCluster } from './harness.js';

test('reads from a middle seq, to a bound, and from a known stream seq', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  for (let i = 0; i < 6; i++) await w.write(entries(i * 10 + 1, 10));
  await w.close();
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 25 })), entries(25, 36));
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 25, toSeq: 31 })), entries(25, 7));
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 60 })), entries(60, 1));
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 61 })), []);
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 41, startStreamSeq: 5 })), entries(41, 20));
  assert.deepEqual(await collect(readJournal(c, 0, { fromSeq: 1, pull: 2 })), entries(1, 60));
  assert.deepEqual(await lastJournalSeq(c, 0), { seq: 60, streamSeq: 6 });
  // a start past the message holding fromSeq leaves entries out: a gap, not a silent skip
  await assert.rejects(collect(readJournal(c, 0, { fromSeq: 15, startStreamSeq: 3 })), (e: Error) => e instanceof StoreError && /entries 15-20 are missing/.test(e.message));
});

test('a gap in the journal is a clear error naming the missing entries', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 5 });
  await w.write(entries(1, 3));
  await w.close();
  const subject = c.names.journalSubject(5);
  const crafted = encodeJournalMessage(packBatch(entries(10, 2)), 10, 11, 'crafted', null);
  await c.js.publish(subject, crafted.payload, { headers: crafted.headers });
  const read: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const e of readJournal(c, 5)) read.push(e.seq);
    })(),
    (e: Error) => e instanceof StoreError && /partition 5 has a gap: entries 4-9 are missing/.test(e.message),
  );
  assert.deepEqual(read, [1, 2, 3], 'entries before the gap were read');
  // the end is read from the last message's header alone
  assert.equal((await lastJournalSeq(c, 5)).seq, 11);
});

test('a message that is not a journal message, or whose entries disagree with its header, is refused', async (t) => {
  const c = await testCluster(t);
  const subject = c.names.journalSubject(6);
  await c.js.publish(subject, Buffer.from('hello'));
  await assert.rejects(collect(readJournal(c, 6)), (e: Error) => e instanceof StoreError && /is not a journal message/.test(e.message));
  const c2 = await testCluster(t);
  const lying = encodeJournalMessage(packBatch(entries(1, 2)), 1, 3, 'x', null);
  await c2.js.publish(c2.names.journalSubject(6), lying.payload, { headers: lying.headers });
  await assert.rejects(collect(readJournal(c2, 6)), (e: Error) => e instanceof StoreError && /holds 2 entries but its header says 1-3/.test(e.message));
});
