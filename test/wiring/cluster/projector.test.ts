// The projector against the real NATS and PostgreSQL: journal entries written by the JetStream
// writer are readable by tx id from PostgreSQL within a bounded time, byte-identical; a stop and a
// restart leave no gap and no duplicate; a batch committed but never acked (connection cut) is
// redelivered and projected once; two projectors at once store every entry once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PgJournalProjection } from '../../../src/store/postgres/journal-projection.js';
import { startProjector, type Projector } from '../../../src/wiring/cluster/projector.js';
import { testPostgres } from '../../store/postgres/harness.js';
import { anotherNode, projectedSeqs, projectorPlace, range, waitFor, writeJournal } from './harness.js';

test('entries of two partitions are found by decision(txId) within a bounded time: decision byte-identical, event opened, sealed at rest', async (t) => {
  const place = await projectorPlace(t);
  const projector = await startProjector({ cluster: place.nats, sealer: place.keys, projection: place.projection });
  t.after(() => projector.stop());
  assert.equal(projector.consumer, `fk_${place.nats.names.cluster}_projector`);
  const written = await writeJournal(place, [0, 1], 10, 50);
  const last = written.get(1)!.filter((e) => e.txId !== null).pop()!;
  const ms = await waitFor('the last payment of partition 1', async () => (await place.projection.decision(last.txId ?? '')) !== undefined, 10_000);
  await waitFor('every entry projected', () => projector.progress().entries === 1000, 10_000);
  t.diagnostic(`last entry readable from PostgreSQL ${ms} ms after its write was acknowledged`);
  for (const [p, all] of written) {
    assert.deepEqual(await projectedSeqs(place.pg, p), range(500), `partition ${p}: every seq once`);
    assert.equal(await place.projection.lastSeq(p), 500);
    for (const e of all) {
      const d = await place.projection.decision(e.txId ?? '');
      if (e.txId === null) continue;
      assert.deepEqual(d, { seq: e.seq, txId: e.txId, event: e.event, decision: e.decision });
    }
  }
  const raw = await place.pg.pool.query<{ b: Buffer }>("SELECT convert_to(event, 'UTF8') AS b FROM journal");
  assert.equal(raw.rows.length, 1000);
  assert.ok(raw.rows.every((r) => !r.b.includes(Buffer.from('secret')) && !r.b.includes(Buffer.from('accountId'))), 'no event in clear in the raw column');
  const p = projector.progress();
  assert.deepEqual({ entries: p.entries, duplicates: p.duplicates, messages: p.messages, failures: p.failures }, { entries: 1000, duplicates: 0, messages: 20, failures: 0 });
  await waitFor('lag 0', async () => (await projector.lag()) === 0, 5000);
});

test('stopped mid-way and restarted, the projector projects the rest: no gap, no duplicate', async (t) => {
  const place = await projectorPlace(t);
  let first: Projector | null = null;
  let stopping: Promise<void> | null = null;
  first = await startProjector({
    cluster: place.nats, sealer: place.keys, projection: place.projection, batchEntries: 100, ackWaitMs: 2000,
    afterCommit: () => {
      if (first !== null && first.progress().batches === 4) stopping = first.stop(); // the 5th batch is being acked
    },
  });
  t.after(() => first?.stop());
  await writeJournal(place, [0, 1], 20, 100);
  await waitFor('the first projector to stop', () => stopping !== null);
  await stopping;
  await first.done;
  const mid = first.progress();
  assert.equal(mid.entries, 500, 'five batches of 100 committed and acked before the stop');
  // more journal while no projector runs
  await writeJournal(place, [0, 1], 5, 100, 2001);
  const second = await startProjector({ cluster: place.nats, sealer: place.keys, projection: place.projection, batchEntries: 100, ackWaitMs: 2000 });
  t.after(() => second.stop());
  await waitFor('the rest projected', async () => (await second.lag()) === 0 && second.progress().entries + mid.entries === 5000).catch(async (e: Error) => {
    const rows = await Promise.all([0, 1].map((p) => projectedSeqs(place.pg, p)));
    const missing = rows.map((r) => range(2500).filter((x) => !r.includes(x)));
    throw new Error(`${e.message}: ${JSON.stringify(second.progress())} first ${JSON.stringify(first?.progress())} rows ${rows.map((r) => r.length)} missing ${missing.map((m) => `${m[0]}..${m[m.length - 1]}`)}`);
  });
  for (const p of [0, 1]) assert.deepEqual(await projectedSeqs(place.pg, p), range(2500), `partition ${p}: 1..2500, each once`);
  // JetStream delivers at least once: a message handed back at the stop may reach the second projector
  // twice (it is then a duplicate, not a second row); what matters is that each entry was inserted once
  assert.equal(mid.entries + second.progress().entries, 5000, 'each entry inserted once, by one of the two');
  t.diagnostic(`second projector: ${second.progress().entries} inserted, ${second.progress().duplicates} delivered again`);
});

test('a batch committed but not acked (connection cut) is redelivered and projected once', async (t) => {
  const place = await projectorPlace(t);
  const node = await anotherNode(t, place.nats);
  let cut = 0;
  const crashing = await startProjector({
    cluster: node, sealer: place.keys, projection: place.projection, ackWaitMs: 1000, batchEntries: 200,
    afterCommit: async (batch) => {
      cut = batch.deliveries.reduce((n, d) => n + d.entries.length, 0);
      await node.nc.close(); // the process dies between its commit and its ack
      throw new Error('crashed before ack');
    },
  });
  t.after(() => crashing.stop());
  await writeJournal(place, [0, 1], 5, 100);
  await crashing.done;
  assert.ok(cut > 0);
  assert.equal(crashing.progress().messages, 0, 'nothing acked');
  assert.equal((await place.projection.count(0)) + (await place.projection.count(1)), cut, 'the batch was committed');

  const after = await startProjector({ cluster: place.nats, sealer: place.keys, projection: place.projection, ackWaitMs: 1000, batchEntries: 200 });
  t.after(() => after.stop());
  await waitFor('everything projected and acked', async () => (await after.lag()) === 0 && after.progress().entries === 1000 - cut);
  assert.ok(after.progress().duplicates >= cut, 'the redelivered batch found its rows and added none');
  for (const p of [0, 1]) assert.deepEqual(await projectedSeqs(place.pg, p), range(500));
});

test('two projectors at once: each entry inserted by exactly one of them — the first to commit; a redelivery to either adds nothing', async (t) => {
  const place = await projectorPlace(t);
  const node = await anotherNode(t, place.nats);
  let slowed = false;
  const opts = { sealer: place.keys, projection: place.projection, ackWaitMs: 1000, batchEntries: 100 };
  const a = await startProjector({
    ...opts,
    cluster: node,
    // a's first batch is acked after the ack wait, so JetStream redelivers it meanwhile: it is projected twice, stored once
    afterCommit: async () => {
      if (slowed) return;
      slowed = true;
      await new Promise((r) => setTimeout(r, 1600));
    },
  });
  const b = await startProjector({ ...opts, cluster: place.nats });
  t.after(() => Promise.all([a.stop(), b.stop()]));
  await writeJournal(place, [0, 1, 2], 10, 100);
  await waitFor('all entries', async () => a.progress().entries + b.progress().entries === 3000 && (await a.lag()) === 0, 20_000);
  const [pa, pb] = [a.progress(), b.progress()];
  t.diagnostic(`a: ${pa.entries} inserted, ${pa.duplicates} duplicates; b: ${pb.entries} inserted, ${pb.duplicates} duplicates`);
  assert.ok(pa.duplicates + pb.duplicates >= 100, 'the slow batch was delivered again and found already stored');
  assert.equal(pa.failures + pb.failures, 0);
  for (const p of [0, 1, 2]) assert.deepEqual(await projectedSeqs(place.pg, p), range(1000));
});

test('while PostgreSQL fails, nothing is acked: failures are reported, and a working projector later projects every entry', async (t) => {
  const place = await projectorPlace(t);
  const { open } = await testPostgres(t);
  const broken = await open(undefined, { max: 1 });
  const brokenProjection = new PgJournalProjection(broken, place.crypt);
  await broken.close(); // every query now fails
  const failing = await startProjector({ cluster: place.nats, sealer: place.keys, projection: brokenProjection, retryDelayMs: 100, ackWaitMs: 2000 });
  t.after(() => failing.stop());
  await writeJournal(place, [0], 4, 50);
  await waitFor('a failure reported', () => failing.progress().failures > 0);
  const p = failing.progress();
  assert.equal(p.messages, 0);
  assert.match(p.lastError ?? '', /FK5005.*cannot project journal entries/);
  await failing.stop();
  assert.equal(await place.projection.count(0), 0);

  const working = await startProjector({ cluster: place.nats, sealer: place.keys, projection: place.projection, ackWaitMs: 2000 });
  t.after(() => working.stop());
  await waitFor('every entry projected', async () => working.progress().entries === 200 && (await working.lag()) === 0);
  assert.deepEqual(await projectedSeqs(place.pg, 0), range(200));
});

test('a message that does not decode is reported and retried, never acked, and holds back none of the messages beside it', async (t) => {
  const place = await projectorPlace(t);
  await place.nats.js.publish(place.nats.names.journalSubject(5), new TextEncoder().encode('not a journal message'));
  await writeJournal(place, [0], 3, 50);
  const projector = await startProjector({ cluster: place.nats, sealer: place.keys, projection: place.projection });
  t.after(() => projector.stop());
  await waitFor('the good entries projected', () => projector.progress().entries === 150);
  const p = projector.progress();
  assert.ok(p.failures >= 1);
  assert.match(p.lastError ?? '', /fk\.t_\w+\.j\.5 message 1 is not a journal message/);
  assert.deepEqual(await projectedSeqs(place.pg, 0), range(150));
  assert.equal(await projector.lag(), 1, 'the bad message stays unacked');
});
