/**
 * "Something changed, look again": a plain NATS message (not stored in JetStream) one node sends
 * after committing a change in PostgreSQL, so the other nodes reload at once instead of at their next
 * poll. Losing one costs only the delay until that poll — the store stays the truth.
 */
import type { NatsCluster } from './connect.js';

/** Tells every node subscribed to `subject` to look again. */
export function announceChange(cluster: NatsCluster, subject: string): void {
  if (!cluster.nc.isClosed()) cluster.nc.publish(subject);
}

/** Calls `fn` whenever a change is announced on `subject` (this node's own announcements included); returns the unsubscribe. */
export function onChangeAnnounced(cluster: NatsCluster, subject: string, fn: () => void): () => void {
  const sub = cluster.nc.subscribe(subject, {
    callback: (err) => {
      if (err === null) fn();
    },
  });
  return () => sub.unsubscribe();
}
