/**
 * How fast a cluster node rebuilds a partition's engine from its JetStream journal (a node starting,
 * or a follower rebuilding its replica): the journal read back with `readJournal` (sealed with a
 * data key, as a cluster writes it) and applied with `replayEntry`, against the floor of applying the
 * very same entries from memory. Until partitions have snapshots (docs/scale-out.md), this rate is
 * what a node's start costs per journal entry.
 *
 * usage: node dist/bench/jetstream-replay.js [--payments 50000] [--starts 3]
 * Needs NATS with JetStream on loopback (.ci/services starts it).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseEvent } from '../src/contract/parse.js';
import { Keyring } from '../src/crypto/index.js';
import { decisionJson } from '../src/engine/decision.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import type { JournalEntry } from '../src/log/journal.js';
import { replayEntry } from '../src/log/recovery.js';
import { connectCluster, deleteClusterObjects } from '../src/store/nats/connect.js';
import { readJournal } from '../src/store/nats/journal-reader.js';
import { startJetStreamJournalWriter } from '../src/store/nats/journal-writer.js';
import { referenceEvents, transactionText } from './tx-traffic.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/jetstream-replay.js [--payments 50000] [--starts 3]');

const payments = Number(flag('payments') ?? '50000');
const starts = Number(flag('starts') ?? '3');
const NATS = process.env.FK_NATS_URL ?? 'nats://127.0.0.1:4222';
const policy = loadPolicy();

// the journal a live owner would have written: reference data, then payments with their decisions
const entries: JournalEntry[] = [];
{
  const engine = new Engine(policy);
  let seq = 0;
  for (const e of referenceEvents()) {
    const ev = parseEvent(e);
    engine.apply(ev);
    entries.push({ seq: ++seq, type: ev.type, txId: null, event: JSON.stringify(ev), decision: null, receivedAt: Date.now() });
  }
  for (let i = 0; i < payments; i++) {
    const ev = parseEvent(JSON.parse(transactionText('r', i)));
    if (ev.type !== 'transaction') throw new Error('not a payment');
    const d = engine.decide(ev);
    entries.push({ seq: ++seq, type: 'transaction', txId: ev.id, event: JSON.stringify(ev), decision: decisionJson(d), receivedAt: Date.now() });
  }
}

const cluster = await connectCluster({ url: NATS, cluster: `bench_${randomBytes(4).toString('hex')}` });
try {
  const keys = new Keyring(randomBytes(32));
  keys.rotate();
  const w = await startJetStreamJournalWriter({ cluster, partition: 0, sealer: keys });
  for (let i = 0; i < entries.length; i += 100) await w.write(entries.slice(i, i + 100));
  await w.close();
  process.stderr.write(`${entries.length} entries (${payments} payments) in JetStream, 100 a message, sealed; load average ${loadavg()[0].toFixed(1)}\n`);
  const fromMemory: number[] = [];
  const fromJetStream: number[] = [];
  for (let s = 0; s < starts; s++) {
    let t = performance.now();
    const a = new Engine(policy);
    let last = 0;
    for (const e of entries) {
      replayEntry(a, e, last);
      last = e.seq;
    }
    fromMemory.push(performance.now() - t);
    t = performance.now();
    const b = new Engine(policy);
    last = 0;
    for await (const e of readJournal(cluster, 0, { sealer: keys })) {
      replayEntry(b, e, last);
      last = e.seq;
    }
    if (last !== entries.length) throw new Error(`read ${last} of ${entries.length} entries`);
    fromJetStream.push(performance.now() - t);
    process.stderr.write(`start ${s + 1}: from memory ${fromMemory[s].toFixed(0)} ms, from JetStream ${fromJetStream[s].toFixed(0)} ms\n`);
  }
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const rate = (ms: number): string => `${Math.round(entries.length / (ms / 1000)).toLocaleString('en')} entries/s`;
  console.log(`jetstream-replay: ${entries.length} entries, medians of ${starts} starts`);
  console.log(`  floor, the entries applied from memory:      ${med(fromMemory).toFixed(0)} ms (${rate(med(fromMemory))})`);
  console.log(`  read from JetStream (sealed) and applied:    ${med(fromJetStream).toFixed(0)} ms (${rate(med(fromJetStream))}), ${(med(fromJetStream) / med(fromMemory)).toFixed(2)}× the floor`);
} finally {
  await deleteClusterObjects(cluster.jsm, cluster.names);
  await cluster.close();
}
