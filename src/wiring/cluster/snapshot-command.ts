/**
 * `fengkong snapshot --nats URL --postgres URL`: a partition's engine snapshot written by a process of
 * its own (a cron job, a Kubernetes CronJob), so no node's event loop stops for the encoding. It
 * rebuilds the partition as a starting node does — the newest usable snapshot, then the JetStream
 * journal after it — and stores a snapshot at the journal's end, sealed with the cluster's data keys;
 * nodes starting later replay only what came after it.
 */
import { ConfigError } from '../../errors.js';
import { Engine } from '../../engine/engine.js';
import { loadPolicy } from '../../engine/policy-source.js';
import { ListSet } from '../../lists/list-set.js';
import type { JournalEntry } from '../../log/journal.js';
import { replayEntry } from '../../log/recovery.js';
import { loadModel } from '../../model/model-file.js';
import { connectCluster } from '../../store/nats/connect.js';
import { lastJournalSeq, readJournal } from '../../store/nats/journal-reader.js';
import { PgPartitionSnapshots } from '../../store/postgres/partition-snapshots.js';
import { restorePartition, writePartitionSnapshot } from './partition-snapshot.js';
import { openClusterStores } from './stores.js';

/** What to snapshot and with which policy (the nodes' `--policy` and `--model`). */
export interface ClusterSnapshotOptions {
  readonly nats: string;
  readonly postgres: string;
  readonly cluster?: string;
  readonly masterKeyFile?: string;
  readonly policyDir?: string;
  readonly modelPath?: string;
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
  const policy = loadPolicy(opts.policyDir);
  const model = opts.modelPath === undefined ? undefined : loadModel(opts.modelPath);
  const lists = new ListSet();
  const stores = await openClusterStores({ postgres: opts.postgres, cluster: opts.cluster ?? 'fengkong', ...(opts.masterKeyFile !== undefined ? { masterKeyFile: opts.masterKeyFile } : {}) });
  try {
    const nats = await connectCluster({ url: opts.nats, cluster: opts.cluster ?? 'fengkong', name: 'fengkong snapshot' });
    try {
      const store = await PgPartitionSnapshots.open(stores.pg);
      const sealer = stores.crypt.payloadSealer();
      const end = await lastJournalSeq(nats, partition);
      if (end.seq === 0) throw new ConfigError(`the journal of partition ${partition} in cluster ${opts.cluster ?? 'fengkong'} is empty: nothing to snapshot`);
      const restored = await restorePartition({ cluster: nats, store, partition, policy, create: () => new Engine(policy, { model, lists }), seal: sealer, journalSealer: sealer });
      for (const s of restored.skipped) opts.log(`skipped ${s}`);
      const from = restored.position;
      opts.log(from.seq === 0 ? `no usable snapshot: replaying partition ${partition} from its first entry` : `started from the snapshot at entry ${from.seq}`);
      if (from.seq >= end.seq) {
        return { restoredFrom: from.seq, replayed: 0, seq: from.seq, bytes: 0, pruned: 0, ms: performance.now() - started };
      }
      let last: JournalEntry | null = null;
      let applied = from.seq;
      for await (const e of readJournal(nats, partition, { fromSeq: from.seq + 1, toSeq: end.seq, sealer, ...(from.streamSeq > 0 ? { startStreamSeq: from.streamSeq + 1 } : {}) })) {
        replayEntry(restored.engine, e, applied);
        applied = e.seq;
        last = e;
        if ((applied - from.seq) % 100_000 === 0) opts.log(`replayed ${applied - from.seq} of ${end.seq - from.seq} entries`);
      }
      if (last === null || applied !== end.seq) throw new ConfigError(`the journal of partition ${partition} ended at entry ${applied}, before ${end.seq}`);
      const w = await writePartitionSnapshot({ store, partition, engine: restored.engine, at: end, last, policyName: policy.name, writer: 'cli', seal: sealer });
      const pruned = await store.prune(partition, opts.keep ?? 2);
      return { restoredFrom: from.seq, replayed: end.seq - from.seq, seq: w.seq, bytes: w.bytes, pruned, ms: performance.now() - started };
    } finally {
      await nats.close();
    }
  } finally {
    await stores.close();
  }
}
