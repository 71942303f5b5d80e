/**
 * Ownership of a partition as a lease in the cluster's owners bucket (NATS KV, bucket TTL): taken
 * with `create` (refused while another holds it), kept by `update` on the revision held, lost when
 * an update fails. A dead holder's key ages out after the bucket TTL and a follower can take it.
 * Nothing home-made: the compare-and-set and the expiry are NATS KV's. The lease says who should
 * write; the journal's expected-sequence fence (journal-writer.ts) is what stops a deposed owner.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { KvWatchInclude } from '@nats-io/kv';
import { PartitionLostError, StoreError } from '../../errors.js';
import type { NatsCluster } from './connect.js';
import { checkPartition } from './names.js';

/** What a lease records: who holds the partition, and since which revision (its epoch). */
export interface LeaseValue {
  readonly holder: string;
  readonly acquiredAt: number;
}

/** How to take a lease; `onLost` hears once when it is lost. */
export interface LeaseOptions {
  readonly cluster: NatsCluster;
  readonly partition: number;
  /** This node's id, recorded in the lease so others can say who holds a partition. */
  readonly holder: string;
  /** Milliseconds between renewals (default a third of the bucket TTL). */
  readonly renewEveryMs?: number;
  /** Called once when a renewal fails or is refused: the partition must be dropped. */
  readonly onLost?: (e: PartitionLostError) => void;
}

/** A held lease on one partition. */
export interface Lease {
  readonly partition: number;
  /** The KV revision the lease was created at: grows with every acquisition, a fencing epoch. */
  readonly epoch: number;
  /** The revision last written (create or renewal). */
  readonly revision: number;
  /** False once lost or released. */
  readonly held: boolean;
  /**
   * Stops renewing without releasing, as a stalled process would (a long GC pause, a node cut off):
   * for tests and drills of takeover.
   */
  pauseRenewals(): void;
  /** Renews at once and on schedule again after a pause; a refusal then calls `onLost`. */
  resumeRenewals(): void;
  /** Stops renewing and deletes the key if still ours, so another node can take it without waiting. */
  release(): Promise<void>;
}

function isWrongSequence(e: unknown): boolean {
  return e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamWrongLastSequence || e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/** Who holds `partition` now, or null when nobody does. */
export async function leaseHolder(cluster: NatsCluster, partition: number): Promise<LeaseValue | null> {
  const e = await cluster.owners.get(cluster.names.ownerKey(checkPartition(partition)));
  if (e === null || e.operation !== 'PUT') return null;
  return e.json<LeaseValue>();
}

/**
 * Calls `onFree` whenever the lease of `partition` is given up on purpose (its holder deleted it on
 * a graceful stop), so a follower tries to take it at once instead of at its next attempt. An expiry
 * by TTL is not announced by the server; the follower's periodic attempt covers that. Returns the stop.
 */
export function watchLeaseReleases(cluster: NatsCluster, partition: number, onFree: () => void): () => void {
  const key = cluster.names.ownerKey(checkPartition(partition));
  let stopped = false;
  let stop: (() => void) | null = null;
  void (async () => {
    const it = await cluster.owners.watch({ key, include: KvWatchInclude.UpdatesOnly });
    stop = () => it.stop();
    if (stopped) return it.stop();
    for await (const e of it) {
      if (e.operation === 'DEL' || e.operation === 'PURGE') onFree();
    }
  })().catch(() => undefined); // a watch that fails leaves the periodic attempt, which is enough
  return () => {
    stopped = true;
    stop?.();
  };
}

/** Takes the lease of `partition`; null when another node holds it. Renewal starts at once. */
export async function acquireLease(opts: LeaseOptions): Promise<Lease | null> {
  const { cluster, holder } = opts;
  const partition = checkPartition(opts.partition);
  const key = cluster.names.ownerKey(partition);
  const renewEveryMs = opts.renewEveryMs ?? Math.max(50, Math.floor(cluster.ownerTtlMs / 3));
  if (renewEveryMs >= cluster.ownerTtlMs) throw new StoreError(`lease renewal every ${renewEveryMs} ms would let the ${cluster.ownerTtlMs} ms lease lapse: renew well within the TTL`);
  const value = JSON.stringify({ holder, acquiredAt: Date.now() } satisfies LeaseValue);

  let revision: number;
  try {
    revision = await cluster.owners.create(key, value);
  } catch (e) {
    if (isWrongSequence(e)) return null;
    throw new StoreError(`cannot take the lease of partition ${partition} in ${cluster.names.ownersBucket}: ${(e as Error).message}`, { cause: e });
  }
  const epoch = revision;
  let held = true;
  let paused = false;
  let timer: NodeJS.Timeout | null = null;
  let renewing: Promise<void> | null = null;

  const lose = (why: string, cause?: unknown): void => {
    if (!held) return;
    held = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    opts.onLost?.(new PartitionLostError(partition, `lease of partition ${partition} lost by ${holder} (epoch ${epoch}): ${why}; stop deciding for partition ${partition}`, { cause }));
  };

  const renew = async (): Promise<void> => {
    try {
      revision = await cluster.owners.update(key, value, revision);
    } catch (e) {
      lose(isWrongSequence(e) ? 'another node holds it now (the renewal was refused)' : `renewal failed (${(e as Error).message})`, e);
    }
  };

  const schedule = (): void => {
    if (!held || paused) return;
    timer = setTimeout(() => {
      timer = null;
      renewing = renew().finally(() => {
        renewing = null;
        schedule();
      });
    }, renewEveryMs);
    timer.unref();
  };
  schedule();

  return {
    partition,
    epoch,
    get revision() {
      return revision;
    },
    get held() {
      return held;
    },
    pauseRenewals() {
      paused = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    resumeRenewals() {
      if (!paused || !held) return;
      paused = false;
      renewing = renew().finally(() => {
        renewing = null;
        schedule();
      });
    },
    async release() {
      paused = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await renewing;
      if (!held) return;
      held = false;
      try {
        await cluster.owners.delete(key, { previousSeq: revision });
      } catch (e) {
        if (!isWrongSequence(e)) throw new StoreError(`cannot release the lease of partition ${partition}: ${(e as Error).message}`, { cause: e });
      }
    },
  };
}
