/**
 * `fengkong snapshot --nats URL --postgres URL`: a partition's engine snapshot written by a process of
 * its own (a cron job, a Kubernetes CronJob), so no node's event loop stops for the encoding. It
 * rebuilds the partition as a starting node does — the newest usable snapshot, then the JetStream
 * journal after it — and stores a snapshot at the journal's end, sealed with the cluster's data keys;
 * nodes starting later replay only what came after it.
 */
import { ConfigError } from '../../errors.js';
import { Engine } from '../../engine/engine.js';
import { ListSet } from '../../lists/list-set.js';
import type { JournalEntry } from '../../log/journal.js';
import { CompiledCache, type Runnable } from '../../policy/compiled.js';
import { connectCluster, type NatsCluster } from '../../store/nats/connect.js';
import { lastJournalSeq, readJournal, type JournalEnd } from '../../store/nats/journal-reader.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';
import { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import { PgPartitionSnapshots } from '../../store/postgres/partition-snapshots.js';
import { storedPartitions } from '../../store/postgres/cluster-settings.js';
import { PgPolicyStore } from '../../store/postgres/policies.js';
import { PartitionReplica, RebuildWith, startingPolicy } from './partition-replica.js';
import { restorePartition, writePartitionSnapshot } from './partition-snapshot.js';
import { ClusterPolicySource } from './policy-control.js';
import { openClusterStores } from './stores.js';

/** What to snapshot: the cluster's partition, with the policies its journal placed. */
export interface ClusterSnapshotOptions {
  readonly nats: string;
  readonly postgres: string;
  readonly cluster?: string;
  readonly masterKeyFile?: string;
  /** Snapshots kept per partition (default 2). */
  readonly keep?: number;
  readonly log: (line: string) => void;
}

/** What one run did. */
export interface ClusterSnapshotResult {
  /** The entry the rebuild started after (0: the journal's first). */
  readonly restoredFrom: number;
  readonly replayed: number;
  /** The snapshot's entry; equal to restoredFrom when the newest snapshot was already current (nothing written). */
  readonly seq: number;
  readonly bytes: number;
  readonly pruned: number;
  readonly ms: number;
}

/** Snapshots partition 0 of the cluster (one partition so far, docs/scale-out.md). */
export async function snapshotClusterPartition(opts: ClusterSnapshotOptions): Promise<ClusterSnapshotResult> {
  const started = performance.now();
  const partition = 0;
  const lists = new ListSet();
  const make = (r: Runnable): Engine => new Engine(r.policy, { model: r.model ?? undefined, lists });
  const stores = await openClusterStores({ postgres: opts.postgres, cluster: opts.cluster ?? 'fengkong', ...(opts.masterKeyFile !== undefined ? { masterKeyFile: opts.masterKeyFile } : {}) });
  try {
    const partitions = (await storedPartitions(stores.pg)) ?? 1;
    if (partitions > 1) {
      throw new ConfigError(`cluster ${opts.cluster ?? 'fengkong'} has ${partitions} partitions: their snapshots are not built yet (a node of it replays the cluster's stream from its start; docs/scale-out.md)`);
    }
    const nats = await connectCluster({ url: opts.nats, cluster: opts.cluster ?? 'fengkong', name: 'fengkong snapshot' });
    try {
      const store = await PgPartitionSnapshots.open(stores.pg);
      const sealer = stores.crypt.payloadSealer();
      const source = new ClusterPolicySource(await PgPolicyStore.open(stores.pg, { crypt: stores.crypt }), stores.audit, new CompiledCache());
      const start = await startingPolicy(source, await PgJournalProjection.open(stores.pg, stores.crypt), partition);
      const end = await lastJournalSeq(nats, partition);
      if (end.seq === 0) throw new ConfigError(`the journal of partition ${partition} in cluster ${opts.cluster ?? 'fengkong'} is empty: nothing to snapshot`);
      const policy = start.runnable.policy;
      const restored = await restorePartition({ cluster: nats, store, partition, policy, create: () => make(start.runnable), seal: sealer, journalSealer: sealer });
      for (const s of restored.skipped) opts.log(`skipped ${s}`);
      const from = restored.position;
      opts.log(from.seq === 0 ? `no usable snapshot: replaying partition ${partition} from its first entry` : `started from the snapshot at entry ${from.seq}`);
      if (from.seq >= end.seq) {
        return { restoredFrom: from.seq, replayed: 0, seq: from.seq, bytes: 0, pruned: 0, ms: performance.now() - started };
      }
      let replica = new PartitionReplica(restored.engine, source, start, from);
      let last: JournalEntry;
      for (;;) {
        try {
          last = await replayTo(nats, partition, replica, end, sealer, opts.log);
          break;
        } catch (e) {
          if (!(e instanceof RebuildWith)) throw e;
          // a later publication needs windows the snapshot lacks: from the start with its windows
          opts.log(e.message);
          replica = new PartitionReplica(make(e.target.runnable), source, e.target, { seq: 0, streamSeq: 0 });
        }
      }
      const w = await writePartitionSnapshot({ store, partition, engine: replica.engine, at: end, last, policyName: replica.engine.currentPolicy.name, writer: 'cli', seal: sealer });
      const pruned = await store.prune(partition, opts.keep ?? 2);
      return { restoredFrom: from.seq, replayed: end.seq - from.seq, seq: w.seq, bytes: w.bytes, pruned, ms: performance.now() - started };
    } finally {
      await nats.close();
    }
  } finally {
    await stores.close();
  }
}

/** Applies the journal after the replica's position up to `end`; the last entry applied. */
async function replayTo(nats: NatsCluster, partition: number, replica: PartitionReplica, end: JournalEnd, sealer: PayloadSealer | null, log: (line: string) => void): Promise<JournalEntry> {
  const from = replica.position;
  let last: JournalEntry | null = null;
  for await (const e of readJournal(nats, partition, { fromSeq: from.seq + 1, toSeq: end.seq, sealer, ...(from.streamSeq > 0 ? { startStreamSeq: from.streamSeq + 1 } : {}) })) {
    const r = replica.apply([e]);
    if (r !== undefined) await r;
    last = e;
    if ((e.seq - from.seq) % 100_000 === 0) log(`replayed ${e.seq - from.seq} of ${end.seq - from.seq} entries`);
  }
  if (last === null || replica.position.seq !== end.seq) throw new ConfigError(`the journal of partition ${partition} ended at entry ${replica.position.seq}, before ${end.seq}`);
  return last;
}
