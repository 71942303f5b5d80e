/**
 * The cost of making a group commit durable in JetStream (docs/scale-out.md, build plan step 3):
 * one append of a batch of `--entries` payments (realistic events and decisions) on a partition's
 * subject, awaited until its PubAck, as the JetStream journal writer does it. Beside it, the floor:
 * a plain NATS request–reply round trip (empty request, empty reply) on the same connection, to a
 * responder in this process; and, for scale, the same round trip carrying the batch's bytes to the
 * responder (which this process then also receives, so it costs the client more than an append).
 * The series alternate batch by batch, so they share the machine's conditions; prints p50/p99 of
 * each and its ratio to the floor.
 *
 * usage: node dist/bench/jetstream-append.js [--url nats://127.0.0.1:4222] [--batches 300] [--entries 100]
 * Creates a cluster `bench_<random>` on the server and deletes its stream and bucket at the end.
 */
import { randomBytes } from 'node:crypto';
import { Keyring } from '../src/crypto/index.js';
import type { JournalEntry } from '../src/log/journal.js';
import { packBatch } from '../src/log/journal-pack.js';
import { connectCluster, deleteClusterObjects } from '../src/store/nats/connect.js';
import { startJetStreamJournalWriter } from '../src/store/nats/journal-writer.js';
import { transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/jetstream-append.js [--url nats://127.0.0.1:4222] [--batches 300] [--entries 100]');

const URL = flag('url') ?? 'nats://127.0.0.1:4222';
const BATCHES = Number(flag('batches') ?? '300');
const ENTRIES = Number(flag('entries') ?? '100');
const WARMUP = 20;

/** Batch `b` of ENTRIES payments with decisions shaped like the server's answers. */
function batch(b: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const seq = b * ENTRIES + i + 1;
    const event = transactionText('jsb', seq);
    const decision = JSON.stringify({ txId: `jsb-${seq}`, outcome: 'approve', score: seq % 97, reasons: seq % 3 === 0 ? ['VELOCITY_1H', 'NEW_DEVICE'] : [], policy: 'default@7', seq, latencyUs: 9 });
    out.push({ seq, type: 'transaction', txId: `jsb-${seq}`, event, decision, receivedAt: Date.now() });
  }
  return out;
}

function row(name: string, ms: number[], floorP50: number, floorP99: number): string {
  ms.sort((a, b) => a - b);
  const p50 = quantile(ms, 0.5);
  const p99 = quantile(ms, 0.99);
  return `${name.padEnd(34)} p50 ${p50.toFixed(3).padStart(7)} ms  p99 ${p99.toFixed(3).padStart(7)} ms   ×floor p50 ${(p50 / floorP50).toFixed(2)}  p99 ${(p99 / floorP99).toFixed(2)}`;
}

const cluster = await connectCluster({ url: URL, cluster: `bench_${randomBytes(4).toString('hex')}`, name: 'fengkong-bench' });
try {
  const keys = new Keyring(randomBytes(32));
  keys.rotate();
  const clear = await startJetStreamJournalWriter({ cluster, partition: 0 });
  const sealed = await startJetStreamJournalWriter({ cluster, partition: 1, sealer: keys });
  const subject = `fk.${cluster.names.cluster}.bench.echo`;
  const echo = cluster.nc.subscribe(subject, {
    callback: (_e, m) => {
      m.respond(new Uint8Array(0));
    },
  });
  const floor: number[] = [];
  const carrying: number[] = [];
  const clearMs: number[] = [];
  const sealedMs: number[] = [];
  let bytes = 0;
  for (let b = 0; b < WARMUP + BATCHES; b++) {
    const entries = batch(b);
    const payload = Buffer.from(packBatch(entries));
    bytes = payload.length;
    let t = performance.now();
    await cluster.nc.request(subject, new Uint8Array(0), { timeout: 5000 });
    const f = performance.now() - t;
    t = performance.now();
    await cluster.nc.request(subject, payload, { timeout: 5000 });
    const r = performance.now() - t;
    t = performance.now();
    await clear.write(entries);
    const c = performance.now() - t;
    t = performance.now();
    await sealed.write(entries);
    const s = performance.now() - t;
    if (b >= WARMUP) {
      floor.push(f);
      carrying.push(r);
      clearMs.push(c);
      sealedMs.push(s);
    }
  }
  echo.unsubscribe();
  await clear.close();
  await sealed.close();
  floor.sort((a, b) => a - b);
  const fp50 = quantile(floor, 0.5);
  const fp99 = quantile(floor, 0.99);
  const server = cluster.nc.info?.version ?? '?';
  process.stdout.write(`JetStream append of one batch of ${ENTRIES} entries (${(bytes / 1024).toFixed(1)} KiB packed), ${BATCHES} batches, NATS ${server} at ${URL}, file storage, R1\n`);
  process.stdout.write(row('floor: request-reply round trip', floor, fp50, fp99) + '\n');
  process.stdout.write(row('request carrying the batch bytes', carrying, fp50, fp99) + '\n');
  process.stdout.write(row('append (clear)', clearMs, fp50, fp99) + '\n');
  process.stdout.write(row('append (sealed, AES-256-GCM)', sealedMs, fp50, fp99) + '\n');
} finally {
  await deleteClusterObjects(cluster.jsm, cluster.names);
  await cluster.close();
}
