/**
 * The names of one cluster's NATS objects, derived from the cluster name alone, so every node of a
 * cluster finds the same stream, subjects and bucket, and several clusters (and test runs) share
 * one NATS server without seeing each other (docs/scale-out.md, "Names").
 */
import { ConfigError } from '../../errors.js';

/** Letters, digits and `_`: safe in a stream name, a subject token and a KV bucket name alike. */
const CLUSTER_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Where a cluster's journal, control entries and ownership leases live on NATS. */
export interface ClusterNames {
  readonly cluster: string;
  /** JetStream stream holding every partition's journal and the control subject. */
  readonly stream: string;
  /** The wildcard subject of all partition journals, as the stream is configured with it. */
  readonly journalWildcard: string;
  /** Control entries (policy publications, lists, …) in one order for every partition. */
  readonly controlSubject: string;
  /** Core NATS (not stored): a node that committed a list change says so, the others reload at once. */
  readonly listsSubject: string;
  /** Plain NATS: "a change was recorded for the partition owners to place" (a publication, a mode, an account action). */
  readonly placeSubject: string;
  /** KV bucket of partition leases. */
  readonly ownersBucket: string;
  /** The durable consumer the PostgreSQL projector of the cluster reads the journal with (one per cluster). */
  readonly projectorConsumer: string;
  /** The journal subject of partition `p`. */
  journalSubject(p: number): string;
  /** The lease key of partition `p` in the owners bucket. */
  ownerKey(p: number): string;
  /**
   * Where requests for partition `p` are forwarded (NATS request–reply, forward.ts): only its owner
   * subscribes, so any node reaches the owner without knowing which node it is.
   */
  inboxSubject(p: number): string;
}

/** Checks a `--cluster` name; the error says what is allowed and why. */
export function checkClusterName(cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new ConfigError(
      `cluster name ${JSON.stringify(cluster)} is not allowed: use 1 to 64 letters, digits or _ (it names NATS streams, subjects and buckets), e.g. --cluster fengkong`,
    );
  }
  return cluster;
}

/** Checks a partition number (a non-negative integer: it becomes a subject token and a key). */
export function checkPartition(p: number): number {
  if (!Number.isSafeInteger(p) || p < 0) throw new ConfigError(`partition ${p} is not allowed: partitions are numbered 0, 1, 2, …`);
  return p;
}

/** The NATS names of cluster `cluster` (validated). */
export function clusterNames(cluster: string): ClusterNames {
  checkClusterName(cluster);
  return {
    cluster,
    stream: `FK_${cluster.toUpperCase()}_JOURNAL`,
    journalWildcard: `fk.${cluster}.j.*`,
    controlSubject: `fk.${cluster}.ctl`,
    listsSubject: `fk.${cluster}.lists`,
    placeSubject: `fk.${cluster}.place`,
    ownersBucket: `fk_${cluster}_owners`,
    projectorConsumer: `fk_${cluster}_projector`,
    journalSubject: (p) => `fk.${cluster}.j.${checkPartition(p)}`,
    ownerKey: (p) => `p.${checkPartition(p)}`,
    inboxSubject: (p) => `fk.${cluster}.p.${checkPartition(p)}.in`,
  };
}
