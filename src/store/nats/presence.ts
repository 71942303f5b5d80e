/**
 * Which nodes of a cluster are alive (docs/scale-out.md, "Ownership"): each node keeps a key
 * `n.<node>` in the owners bucket, written again every third of the bucket's TTL, so a node that
 * dies drops out of the list one TTL later, as its leases do. Partitions are spread by it: a node
 * owns about P / (nodes alive) of them (wiring/cluster/balance.ts).
 */
import { StoreError } from '../../errors.js';
import type { NatsCluster } from './connect.js';

/** The key of node `nodeId`: characters a KV key may not hold become `_`. */
function presenceKey(nodeId: string): string {
  return `n.${nodeId.replace(/[^-_=a-zA-Z0-9]/g, '_')}`;
}

/** A node's presence, kept until `stop`. */
export interface Presence {
  /** The node ids alive now (this one included once its first write is in). */
  alive(): Promise<string[]>;
  /** Stops writing and deletes the key: the others count one node less at once. */
  stop(): Promise<void>;
}

/** Announces `nodeId` in `cluster` now and every third of the bucket TTL until stopped. */
export async function announcePresence(cluster: NatsCluster, nodeId: string): Promise<Presence> {
  const key = presenceKey(nodeId);
  const write = async (): Promise<void> => {
    await cluster.owners.put(key, JSON.stringify({ node: nodeId, at: Date.now() }));
  };
  try {
    await write();
  } catch (e) {
    throw new StoreError(`cannot announce node ${nodeId} in ${cluster.names.ownersBucket}: ${(e as Error).message}`, { cause: e });
  }
  // a failed write is tried again at the next tick; meanwhile the key may age out and the others
  // count one node less for a moment, which only moves partitions
  const timer = setInterval(() => void write().catch(() => undefined), Math.max(100, Math.floor(cluster.ownerTtlMs / 3)));
  timer.unref();
  return {
    async alive() {
      const out: string[] = [];
      for await (const k of await cluster.owners.keys('n.>')) out.push(k.slice(2));
      return out;
    },
    async stop() {
      clearInterval(timer);
      await cluster.owners.delete(key).catch(() => undefined);
    },
  };
}
