/**
 * What is fixed when a cluster is created (docs/scale-out.md, "Partitions"): its partition count.
 * Every account's partition is `partitionOf(accountId, P)`, so P can never change once a journal
 * holds anything — an account would move away from its memory. The first node to start writes it;
 * every later node and command reads it.
 */
import { ConfigError } from '../../errors.js';
import type { PgCluster } from './pool.js';

/** Partitions a cluster may have at most: each is a lease, a journal subject and an engine on every node. */
export const MAX_PARTITIONS = 256;

/** `n` as a partition count, or the ConfigError naming `--partitions` (checked before any service is touched). */
export function checkPartitionCount(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) throw new ConfigError(`--partitions must be a whole number from 1 to ${MAX_PARTITIONS}, got ${n}`);
  return n;
}

/**
 * The cluster's partition count. `asked` (the `--partitions` flag) sets it on a new cluster and must
 * agree with it on an existing one; a cluster that has no setting but a journal (created before
 * partitions existed) has one partition. `hasJournal` tells whether any entry was ever journaled.
 */
export async function clusterPartitions(pg: PgCluster, asked: number | undefined, hasJournal: () => Promise<boolean>): Promise<number> {
  if (asked !== undefined) checkPartitionCount(asked);
  let stored = await storedPartitions(pg);
  if (stored === null) {
    const want = asked ?? 1;
    if (want > 1 && (await hasJournal())) {
      throw new ConfigError(`cluster ${pg.cluster} already journals into one partition; --partitions ${want} can only be given to a new cluster`);
    }
    await pg.pool.query(`INSERT INTO cluster_settings (name, value) VALUES ('partitions', $1) ON CONFLICT DO NOTHING`, [String(want)]);
    stored = await storedPartitions(pg);
    if (stored === null) throw new ConfigError(`cluster ${pg.cluster}: its partition count could not be recorded`);
  }
  if (asked !== undefined && asked !== stored) {
    throw new ConfigError(`cluster ${pg.cluster} has ${stored} partition(s), fixed when it was created; --partitions ${asked} cannot change it (leave the flag out)`);
  }
  return stored;
}

/** The partition count recorded for the cluster, or null when no node recorded one yet (one partition). */
export async function storedPartitions(pg: PgCluster): Promise<number | null> {
  const r = await pg.pool.query<{ value: string }>(`SELECT value FROM cluster_settings WHERE name = 'partitions'`);
  return r.rows[0] === undefined ? null : Number(r.rows[0].value);
}
