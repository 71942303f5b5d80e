/**
 * What a partition runner (partition.ts) needs from its node, and what it reports about itself:
 * kept apart so the runner's file holds only its behaviour.
 */
import type { Engine } from '../../engine/engine.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';
import type { Runnable } from '../../policy/compiled.js';
import type { Decider } from '../../server/decider.js';
import type { ServerMetrics } from '../../server/metrics.js';
import type { NatsCluster } from '../../store/nats/connect.js';
import type { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import type { PgPartitionSnapshots } from '../../store/postgres/partition-snapshots.js';
import type { ActionLedger, MerchantLedger } from './placement.js';
import type { ClusterPolicySource } from './policy-control.js';

/** What a partition runner needs from its node. */
export interface PartitionDeps {
  readonly cluster: NatsCluster;
  readonly partition: number;
  /**
   * The cluster's partition count (default 1). With more than one, the partition follows the whole
   * stream (followStream) and its owner decides behind the stream barrier (docs/scale-out.md).
   */
  readonly partitions?: number;
  /** This node's id, written into the lease. */
  readonly nodeId: string;
  /** Seals journal payloads with the cluster's data keys (null: clear). */
  readonly sealer: PayloadSealer | null;
  /** Refreshes the data keys after a payload failed to open (a key rotated in by another node). */
  readonly refreshKeys: () => Promise<void>;
  /** A fresh engine running `r`, as `fengkong replay` builds one (the node's lists and settings). */
  readonly makeEngine: (r: Runnable) => Engine;
  /** The cluster's policy: what a control entry runs, and what the owner is to place. */
  readonly policies: ClusterPolicySource;
  readonly metrics: ServerMetrics;
  readonly projection: PgJournalProjection;
  /** Where the partition's snapshots are: a start restores the newest usable one (null: always replay from the first entry). */
  readonly snapshots: PgPartitionSnapshots | null;
  /** Decisions kept in memory for idempotent retries (RecentDecisions). */
  readonly recentCapacity?: number;
  /** How often a follower tries to take a free lease (ms, default a third of the lease TTL). */
  readonly acquireEveryMs?: number;
  /** Whether this node may take one more partition now (balance.ts); default always. */
  readonly mayTake?: () => boolean;
  /** Where account actions are recorded (absent: none are placed). */
  readonly actions?: ActionLedger;
  /** Where merchant actions are recorded (absent: none are placed). */
  readonly merchantActions?: MerchantLedger;
  /** Called with what to decide through when this node becomes the owner, and with null when it stops being it. */
  readonly onOwnerChange?: (decider: Decider | null) => void;
  readonly log: (line: string) => void;
}

/** What the partition is doing on this node. */
export type PartitionRole = 'following' | 'taking-over' | 'owning' | 'stopped';

/** Where a partition stands on this node, for /healthz and /metrics. */
export interface PartitionStatus {
  readonly partition: number;
  readonly role: PartitionRole;
  /** Last entry seq this node's engine applied (owned: decided, durable or not). */
  readonly seq: number;
  /** Times this node took the partition over. */
  readonly takeovers: number;
  /** Milliseconds the last takeover took, from the lease to the first decision it could make. */
  readonly lastTakeoverMs: number | null;
  /** The policy this node's engine of the partition runs (overlays included) and the journal entry that placed it. */
  readonly policy: { readonly name: string; readonly version: number; readonly modes: readonly string[]; readonly placedAt: number };
  /** The owner only: the policy it is warming to place, if any. */
  readonly placing: { readonly version: number; readonly since: number } | null;
  /** The last policy the owner could not place, and why. */
  readonly placeFailure: string | null;
  /**
   * P > 1, a follower: the other partitions' messages held until this partition's next entry says
   * where its owner applied them (they grow while the partition decides nothing).
   */
  readonly waitingMessages: number;
}
