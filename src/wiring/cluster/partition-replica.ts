/**
 * A partition's engine as its journal builds it on a cluster node: events replayed as recovery
 * replays them, and control entries (policy-control.ts) applied at their positions — the policy
 * swapped when it needs no window the engine lacks, else a rebuild from the journal's start with that
 * policy's windows (`RebuildWith`), since windows are a function of the events alone. Shared by a
 * node's follower, its takeover catch-up and `fengkong snapshot`, so they agree entry for entry.
 */
import type { Engine } from '../../engine/engine.js';
import { StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import { replayEntry } from '../../log/recovery.js';
import type { Runnable } from '../../policy/compiled.js';
import type { JournalEnd } from '../../store/nats/journal-reader.js';
import type { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import { controlKey, parseControl, parseInputControl, type ClusterPolicySource, type PolicyControl } from './policy-control.js';

/** A policy and where the journal placed it: entry `seq` (0: the cluster's first publication, before any entry). */
export interface PlacedPolicy {
  readonly ctl: PolicyControl;
  readonly runnable: Runnable;
  readonly seq: number;
}

/**
 * Thrown by `apply` at a control entry whose policy needs windows the engine does not hold: the
 * replica must be rebuilt from the journal's start with `target` (control entries up to its seq are
 * then passed over: the engine already runs the policy they lead to).
 */
export class RebuildWith extends StoreError {
  constructor(readonly target: PlacedPolicy) {
    super(`journal entry ${target.seq} publishes version ${target.ctl.version} with windows this replica lacks: rebuilding it with them from the journal's start`);
  }
}

/**
 * The policy a replica of `partition` starts with: the last control entry the PostgreSQL projection
 * holds (a projection behind the journal only costs a rebuild when the replica meets a later one),
 * else the cluster's first publication — what decides before any control entry.
 */
export async function startingPolicy(source: ClusterPolicySource, projection: PgJournalProjection, partition: number): Promise<PlacedPolicy> {
  const last = await projection.lastControl(partition);
  if (last !== undefined) {
    const ctl = parseControl(last.event, last.seq);
    return { ctl, runnable: await source.runnable(ctl), seq: last.seq };
  }
  const first = (await source.store.publications({ before: 2, limit: 1 }))[0];
  if (first === undefined) throw new StoreError('the cluster has no policy publication (the first node imports one at its start)');
  const ctl: PolicyControl = { control: 'policy', publication: first.seq, version: first.version, overlays: [] };
  return { ctl, runnable: await source.runnable(ctl), seq: 0 };
}

/** One partition's replica engine and its place in the journal. */
export class PartitionReplica {
  /** The policy the engine runs now and the entry that placed it. */
  policy: PlacedPolicy;

  /**
   * `pinned`: the policy the engine was built with; control entries up to its seq are passed over.
   * `onEntry` sees every event entry applied (ids for idempotency).
   */
  constructor(
    readonly engine: Engine,
    private readonly source: ClusterPolicySource,
    private readonly pinned: PlacedPolicy,
    public position: JournalEnd,
    private readonly onEntry: (e: JournalEntry) => void = () => undefined,
  ) {
    this.policy = pinned;
  }

  /**
   * Applies entries in order (those at or below the position are passed over). Synchronous unless a
   * control entry needs a version compiled: then the rest waits behind it. Throws RebuildWith (see
   * there), or a StoreError for a gap or an entry that does not replay.
   */
  apply(entries: readonly JournalEntry[], from = 0): void | Promise<void> {
    for (let i = from; i < entries.length; i++) {
      const e = entries[i];
      if (e.seq <= this.position.seq) continue;
      if (e.type === 'control') return this.control(e).then(() => this.apply(entries, i + 1));
      if (e.type === 'input') {
        this.input(e);
        continue;
      }
      replayEntry(this.engine, e, this.position.seq);
      this.position = { seq: e.seq, streamSeq: this.position.streamSeq };
      this.onEntry(e);
    }
  }

  /** An engine input placed by the owner: an account's restrictions, whole, from this entry on. */
  private input(e: JournalEntry): void {
    if (e.seq !== this.position.seq + 1) throw new StoreError(`journal has a gap: seq ${e.seq} follows ${this.position.seq}`);
    this.engine.applyInput(parseInputControl(e.event, e.seq).input);
    this.position = { seq: e.seq, streamSeq: this.position.streamSeq };
  }

  private async control(e: JournalEntry): Promise<void> {
    if (e.seq !== this.position.seq + 1) throw new StoreError(`journal has a gap: seq ${e.seq} follows ${this.position.seq}`);
    const ctl = parseControl(e.event, e.seq);
    if (e.seq > this.pinned.seq && controlKey(ctl) !== controlKey(this.policy.ctl)) {
      const runnable = await this.source.runnable(ctl);
      const placed = { ctl, runnable, seq: e.seq };
      if (this.engine.freshWindowsFor(runnable.policy).length > 0) throw new RebuildWith(placed);
      this.engine.replacePolicy(runnable.policy, runnable.model);
      this.policy = placed;
    } else if (e.seq > this.pinned.seq) {
      this.policy = { ...this.policy, ctl, seq: e.seq };
    }
    this.position = { seq: e.seq, streamSeq: this.position.streamSeq };
  }
}
