// Following a partition's journal as it grows (a follower's warm replica): from the start or from a
// known position, entries appended while following arrive in order, stop() ends it, and a gap stops
// the follow with an error naming the missing entries instead of reading past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { packBatch } from '../../../src/log/journal-pack.js';
import { followJournal } from '../../../src/store/nats/journal-follower.js';
import { encodeJournalMessage } from '../../../src/store/nats/journal-message.js';
import { startJetStreamJournalWriter } from '../../../src/store/nats/journal-writer.js';
import { entries, testCluster } from './harness.js';

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('follows from the start and keeps up with appends; stop() ends it; a later follow starts where it stopped', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  for (let i = 0; i < 3; i++) await w.write(entries(i * 10 + 1, 10));
  const seen: JournalEntry[] = [];
  const f = followJournal(c, 0, { after: { seq: 0, streamSeq: 0 } }, (es) => void seen.push(...es));
  await until('the first 30 entries', () => seen.length === 30);
  // appended while following: they arrive as they are acknowledged
  await w.write(entries(31, 5));
  await w.write(entries(36, 5));
  await until('40 entries', () => seen.length === 40);
  assert.deepEqual(seen, entries(1, 40));
  assert.deepEqual(f.position, { seq: 40, streamSeq: 5 });
  await f.stop();
  assert.equal(await f.done, null, 'a stop is no error');
  await w.write(entries(41, 10));
  assert.equal(seen.length, 40, 'nothing is applied after stop()');
  const more: JournalEntry[] = [];
  const g = followJournal(c, 0, { after: f.position }, (es) => void more.push(...es));
  await until('the entries after the stop', () => more.length === 10);
  assert.deepEqual(more, entries(41, 10));
  await g.stop();
  await w.close();
});

test('a gap stops the follow with an error naming the missing entries; entries before it were applied', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 2 });
  await w.write(entries(1, 3));
  await w.close();
  const crafted = encodeJournalMessage(packBatch(entries(8, 2)), 8, 9, 'crafted', null);
  await c.js.publish(c.names.journalSubject(2), crafted.payload, { headers: crafted.headers });
  const seen: number[] = [];
  const f = followJournal(c, 2, { after: { seq: 0, streamSeq: 0 } }, (es) => void seen.push(...es.map((e) => e.seq)));
  const err = await f.done;
  assert.ok(err instanceof StoreError && /partition 2 has a gap: entries 4-7 are missing/.test(err.message), String(err));
  assert.deepEqual(seen, [1, 2, 3]);
});

test('an apply that throws stops the follow with its error (the replica must then be rebuilt)', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 1 });
  await w.write(entries(1, 2));
  await w.write(entries(3, 2));
  await w.close();
  let calls = 0;
  const f = followJournal(c, 1, { after: { seq: 0, streamSeq: 0 } }, () => {
    if (++calls === 2) throw new StoreError('entry 3 cannot be replayed');
  });
  const err = await f.done;
  assert.match(String(err), /entry 3 cannot be replayed/);
  assert.deepEqual(f.position, { seq: 2, streamSeq: 1 }, 'the position is the last message applied whole');
});
