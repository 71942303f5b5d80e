/**
 * Engine snapshots of a cluster's partitions in PostgreSQL (docs/scale-out.md): what lets a node
 * start, or a follower rebuild, without replaying a partition's whole JetStream journal. A snapshot
 * is the embedded store's snapshot file, byte for byte (its clear header says what it was made from
 * and for which windows; its body is sealed by the writer with the cluster's data keys), so the
 * checks a start makes on a snapshot file apply unchanged.
 */
import { StoreError } from '../../errors.js';
import { migrate } from './migrate.js';
import type { PgCluster } from './pool.js';

/** A stored snapshot's place, without its bytes. */
export interface PartitionSnapshotInfo {
  readonly partition: number;
  /** Journal entries 1 … seq are in it. */
  readonly seq: number;
  /** The stream sequence of the JetStream message holding entry `seq`: the journal after it starts past this. */
  readonly streamSeq: number;
  readonly createdAt: number;
  readonly writer: string;
  readonly bytes: number;
}

/** The partition snapshots of one cluster. */
export class PgPartitionSnapshots {
  constructor(private readonly pg: PgCluster) {}

  /** The store of cluster `pg`, its schema migrated first. */
  static async open(pg: PgCluster): Promise<PgPartitionSnapshots> {
    await migrate(pg);
    return new PgPartitionSnapshots(pg);
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new StoreError(`partition snapshots: ${what} on ${this.pg.where} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Stores a snapshot file; one already stored at the same partition and seq is kept (the same state). */
  put(s: { partition: number; seq: number; streamSeq: number; writer: string; bytes: Buffer }): Promise<void> {
    return this.run('store', async () => {
      await this.pg.pool.query(
        'INSERT INTO partition_snapshots (partition, seq, stream_seq, created_at, writer, bytes) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (partition, seq) DO NOTHING',
        [s.partition, s.seq, s.streamSeq, Date.now(), s.writer, s.bytes],
      );
    });
  }

  /** The snapshots of `partition`, newest first, without their bytes. */
  list(partition: number): Promise<PartitionSnapshotInfo[]> {
    return this.run('list', async () => {
      const r = await this.pg.pool.query<{ seq: string; stream_seq: string; created_at: string; writer: string; n: number }>(
        'SELECT seq, stream_seq, created_at, writer, octet_length(bytes) AS n FROM partition_snapshots WHERE partition = $1 ORDER BY seq DESC',
        [partition],
      );
      return r.rows.map((x) => ({ partition, seq: Number(x.seq), streamSeq: Number(x.stream_seq), createdAt: Number(x.created_at), writer: x.writer, bytes: Number(x.n) }));
    });
  }

  /** The bytes of one snapshot, or undefined when it is gone (pruned meanwhile). */
  read(partition: number, seq: number): Promise<Buffer | undefined> {
    return this.run('read', async () => {
      const r = await this.pg.pool.query<{ bytes: Buffer }>('SELECT bytes FROM partition_snapshots WHERE partition = $1 AND seq = $2', [partition, seq]);
      return r.rows[0]?.bytes;
    });
  }

  /** Keeps the newest `keep` snapshots of `partition` and deletes the rest; how many were deleted. */
  prune(partition: number, keep: number): Promise<number> {
    return this.run('prune', async () => {
      const r = await this.pg.pool.query(
        'DELETE FROM partition_snapshots WHERE partition = $1 AND seq NOT IN (SELECT seq FROM partition_snapshots WHERE partition = $1 ORDER BY seq DESC LIMIT $2)',
        [partition, Math.max(1, keep)],
      );
      return r.rowCount ?? 0;
    });
  }
}
