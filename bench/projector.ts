/**
 * Projection throughput (docs/scale-out.md, build plan step 3): `--entries` payments with their
 * decisions, written to a cluster's JetStream journal (`--partitions` partitions, `--per` entries a
 * message, sealed) before timing starts; then the projector drains that backlog into PostgreSQL
 * `journal`, timed from its start to its last commit, once per `--batch` size (entries per
 * PostgreSQL transaction). Beside it, in the same run, the floors at the same transaction sizes: the
 * same rows INSERTed into PostgreSQL without NATS — as plain rows (event sealed beforehand, one
 * unnest INSERT a transaction), and through PgJournalProjection.project (sealing and the idempotent
 * insert included). Prints entries/s of each and the projector's ratio to the floors.
 *
 * usage: node dist/bench/projector.js [--nats nats://127.0.0.1:4222] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 *          [--entries 20000] [--per 100] [--partitions 2] [--batch 100,1000]
 * Creates database `fk_bench_<random>` and NATS cluster `bench_<random>`, and removes both at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Keyring } from '../src/crypto/index.js';
import type { JournalEntry } from '../src/log/journal.js';
import { connectCluster, deleteClusterObjects } from '../src/store/nats/connect.js';
import { startJetStreamJournalWriter } from '../src/store/nats/journal-writer.js';
import { PgCrypt } from '../src/store/postgres/crypt.js';
import { PgJournalProjection } from '../src/store/postgres/journal-projection.js';
import { openPgCluster, type PgCluster } from '../src/store/postgres/pool.js';
import { startProjector } from '../src/wiring/cluster/projector.js';
import { transactionText } from './tx-traffic.js';
import { answerHelp, flag } from './util.js';

const USAGE = `usage: node dist/bench/projector.js [--nats nats://127.0.0.1:4222] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
         [--entries 20000] [--per 100] [--partitions 2] [--batch 100,1000]
  --per      entries per JetStream message
  --batch    entries per PostgreSQL transaction: one projector run and one floor each`;
answerHelp(USAGE);

const NATS = flag('nats') ?? 'nats://127.0.0.1:4222';
const ADMIN = flag('postgres') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTRIES = Number(flag('entries') ?? '20000');
const PER = Number(flag('per') ?? '100');
const PARTITIONS = Number(flag('partitions') ?? '2');
const BATCHES = (flag('batch') ?? '100,1000').split(',').map(Number);

/** Entries 1..n of partition p: payments with decisions shaped like the server's answers. */
function journalOf(p: number, n: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const txId = `pb${p}-${seq}`;
    const decision = JSON.stringify({ txId, outcome: 'approve', score: seq % 97, reasons: seq % 3 === 0 ? ['VELOCITY_1H', 'NEW_DEVICE'] : [], policy: 'default@7', seq, latencyUs: 9 });
    out.push({ seq, type: 'transaction', txId, event: transactionText(`pb${p}`, seq), decision, receivedAt: Date.now() });
  }
  return out;
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US').padStart(7)} entries/s  (${ms.toFixed(0)} ms)`;
}

const tag = randomBytes(4).toString('hex');
const database = `fk_bench_${tag}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
const dbUrl = new URL(ADMIN);
dbUrl.pathname = `/${database}`;
const keyDir = mkdtempSync(join(tmpdir(), 'fk-bench-projector-'));
const nats = await connectCluster({ url: NATS, cluster: `bench_${tag}`, name: 'fengkong-bench' });
const pools: PgCluster[] = [];

/** A fresh schema (cluster `name` in the bench database) with its crypt and projection. */
async function schema(name: string): Promise<{ pgc: PgCluster; projection: PgJournalProjection; crypt: PgCrypt }> {
  const pgc = await openPgCluster(dbUrl.toString(), name, { max: 4 });
  pools.push(pgc);
  const write = process.stderr.write;
  process.stderr.write = () => true; // the "created the master key" line
  try {
    const crypt = await PgCrypt.open(pgc, { masterKeyFile: join(keyDir, 'master.key') });
    return { pgc, crypt, projection: await PgJournalProjection.open(pgc, crypt) };
  } finally {
    process.stderr.write = write;
  }
}

try {
  const perPartition = Math.ceil(ENTRIES / PARTITIONS);
  const journals = Array.from({ length: PARTITIONS }, (_, p) => journalOf(p, perPartition));
  const total = perPartition * PARTITIONS;
  const keys = new Keyring(randomBytes(32));
  keys.rotate();
  await Promise.all(
    journals.map(async (entries, p) => {
      const w = await startJetStreamJournalWriter({ cluster: nats, partition: p, sealer: keys });
      for (let i = 0; i < entries.length; i += PER) await w.write(entries.slice(i, i + PER));
      await w.close();
    }),
  );
  process.stdout.write(`projector bench: ${total} entries, ${PARTITIONS} partitions, ${PER} entries a message (sealed), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);

  // the floors, at each transaction size the projector runs with: the same rows without NATS
  const plainMs = new Map<number, number>();
  const directMs = new Map<number, number>();
  for (const size of [...new Set(BATCHES)]) {
    // plain rows, event sealed beforehand, one unnest INSERT per transaction
    const plain = await schema(`bench_plain_${size}`);
    const rows = journals.flatMap((entries, p) => entries.map((e) => ({ p, e, sealed: plain.crypt.sealText(e.event) })));
    let t0 = performance.now();
    for (let i = 0; i < rows.length; i += size) {
      const part = rows.slice(i, i + size);
      await plain.pgc.pool.query(
        'INSERT INTO journal (partition, seq, tx_id, type, event, decision, received_at) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])',
        [part.map((r) => r.p), part.map((r) => r.e.seq), part.map((r) => r.e.txId), part.map((r) => r.e.type), part.map((r) => r.sealed), part.map((r) => r.e.decision), part.map((r) => r.e.receivedAt)],
      );
    }
    plainMs.set(size, performance.now() - t0);
    // PgJournalProjection.project: sealing and the idempotent insert included
    const direct = await schema(`bench_direct_${size}`);
    t0 = performance.now();
    for (const [p, entries] of journals.entries()) for (let i = 0; i < entries.length; i += size) await direct.projection.project(p, entries.slice(i, i + size));
    directMs.set(size, performance.now() - t0);
    process.stdout.write(`floor: plain INSERT (event sealed before), ${String(size).padStart(4)} a transaction   ${rate(total, plainMs.get(size)!)}\n`);
    process.stdout.write(`floor: project() without NATS,            ${String(size).padStart(4)} a transaction   ${rate(total, directMs.get(size)!)}\n`);
  }

  for (const batch of BATCHES) {
    const target = await schema(`bench_proj_${batch}`);
    let last = 0;
    const t0 = performance.now();
    const projector = await startProjector({
      cluster: nats, sealer: keys, projection: target.projection, batchEntries: batch,
      onProgress: (pr) => {
        if (pr.entries === total) last = performance.now();
      },
    });
    while (last === 0) {
      await new Promise((r) => setTimeout(r, 5));
      if (projector.progress().failures > 0) throw new Error(`projector failed: ${projector.progress().lastError}`);
    }
    const ms = last - t0;
    const pr = projector.progress();
    await projector.stop();
    await nats.jsm.consumers.delete(nats.names.stream, nats.names.projectorConsumer);
    process.stdout.write(
      `projector: NATS → PostgreSQL,       up to ${String(batch).padStart(4)} a transaction   ${rate(total, ms)}  = ${(plainMs.get(batch)! / ms).toFixed(2)} × plain, ${(directMs.get(batch)! / ms).toFixed(2)} × project()  (${pr.batches} transactions, ${pr.duplicates} duplicates)\n`,
    );
  }
  process.stdout.write(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
} finally {
  for (const p of pools) await p.close();
  await deleteClusterObjects(nats.jsm, nats.names);
  await nats.close();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await admin.end();
  rmSync(keyDir, { recursive: true, force: true });
}
