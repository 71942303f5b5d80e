// One projector test's services: a NATS cluster of its own (stream removed after), a fresh
// PostgreSQL database (dropped after), the cluster's data key for the journal and PgCrypt for the
// projection; and journal entries whose tx ids are unique across partitions, as the engine's are.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Keyring } from '../../../src/crypto/index.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { connectCluster, type NatsCluster } from '../../../src/store/nats/connect.js';
import { startJetStreamJournalWriter } from '../../../src/store/nats/journal-writer.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { PgJournalProjection } from '../../../src/store/postgres/journal-projection.js';
import type { PgCluster } from '../../../src/store/postgres/pool.js';
import { entries, NATS_URL, testCluster } from '../../store/nats/harness.js';
import { quietly } from '../../store/postgres/contract-harness.js';
import { testPostgres } from '../../store/postgres/harness.js';

/** Everything a projector test works with. */
export interface ProjectorPlace {
  readonly nats: NatsCluster;
  readonly pg: PgCluster;
  readonly projection: PgJournalProjection;
  /** The projection's crypt (the schema's data keys). */
  readonly crypt: PgCrypt;
  /** The journal's data key (payloads sealed at rest in JetStream). */
  readonly keys: Keyring;
}

/** Fresh NATS cluster and database for `t`, both removed when it ends; fails when either is down. */
export async function projectorPlace(t: TestContext): Promise<ProjectorPlace> {
  const nats = await testCluster(t);
  const { open } = await testPostgres(t);
  const dir = mkdtempSync(join(tmpdir(), 'fk-projector-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pg = await open(undefined, { max: 4 });
  const crypt = await quietly(() => PgCrypt.open(pg, { masterKeyFile: join(dir, 'master.key') }));
  const keys = new Keyring(randomBytes(32));
  keys.rotate();
  return { nats, pg, crypt, projection: await PgJournalProjection.open(pg, crypt), keys };
}

/** Entries `from..from+n-1` of partition `p`, tx ids `p<p>-tx-<seq>` (a tx id belongs to one partition). */
export function partitionEntries(p: number, from: number, n: number): JournalEntry[] {
  return entries(from, n).map((e) => ({ ...e, txId: e.txId === null ? null : `p${p}-${e.txId}` }));
}

/** Writes `messages` messages of `per` entries on each of `partitions` with the JetStream writer (sealed); returns every entry by partition. */
export async function writeJournal(place: ProjectorPlace, partitions: readonly number[], messages: number, per: number, from = 1): Promise<Map<number, JournalEntry[]>> {
  const out = new Map<number, JournalEntry[]>();
  await Promise.all(
    partitions.map(async (p) => {
      const w = await startJetStreamJournalWriter({ cluster: place.nats, partition: p, sealer: place.keys });
      const all: JournalEntry[] = [];
      for (let i = 0; i < messages; i++) {
        const batch = partitionEntries(p, from + i * per, per);
        await w.write(batch);
        all.push(...batch);
      }
      await w.close();
      out.set(p, all);
    }),
  );
  return out;
}

/** Resolves when `cond` holds, polling; rejects naming `what` after `ms`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 15_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Rows of the raw journal table of a partition: every seq once, ascending. */
export async function projectedSeqs(pg: PgCluster, p: number): Promise<number[]> {
  const r = await pg.pool.query<{ seq: string }>('SELECT seq FROM journal WHERE partition = $1 ORDER BY seq', [p]);
  return r.rows.map((x) => Number(x.seq));
}

/** 1..n */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Another node's connection to the test's cluster, closed after the test unless the test cut it already. */
export async function anotherNode(t: TestContext, first: NatsCluster): Promise<NatsCluster> {
  const c = await connectCluster({ url: NATS_URL, cluster: first.names.cluster, ownerTtlMs: first.ownerTtlMs });
  t.after(async () => {
    if (!c.nc.isClosed()) await c.close();
  });
  return c;
}
