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
import type { StreamMessage } from '../../store/nats/stream-feed.js';
import { parseEvent } from '../../contract/parse.js';
import { partitionOf } from '../../engine/partition-of.js';
import { parsePartitionMeta, paymentDecidedElsewhere } from '../../engine/shared-effects.js';
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
  return firstPolicy(source);
}

/** The cluster's first publication: what decides before any control entry. */
export async function firstPolicy(source: ClusterPolicySource): Promise<PlacedPolicy> {
  const first = (await source.store.publications({ before: 2, limit: 1 }))[0];
  if (first === undefined) throw new StoreError('the cluster has no policy publication (the first node imports one at its start)');
  const ctl: PolicyControl = { control: 'policy', publication: first.seq, version: first.version, overlays: [] };
  return { ctl, runnable: await source.runnable(ctl), seq: 0 };
}

/** Which partition a replica is, of how many (P > 1: docs/scale-out.md, "What is shared across partitions"). */
export interface Partitioning {
  readonly partition: number;
  readonly partitions: number;
}

/** One partition's replica engine and its place in the journal. */
export class PartitionReplica {
  /** The policy the engine runs now and the entry that placed it. */
  policy: PlacedPolicy;
  /**
   * P > 1: the other partitions' messages not applied yet. A follower applies them only up to the
   * position the owner's next entry names (its `meta.a`), so it goes through the owner's states in
   * the owner's order; an owner applies them as they come (`eager`).
   */
  private readonly foreign: StreamMessage[] = [];
  /** P > 1: stream sequence of the last other partition's message applied: the owner's stamp. */
  foreignApplied = 0;
  /** P > 1: apply the other partitions' messages as they come (this node owns the partition). */
  private eager = false;
  /** P > 1: the partition and the count; null on a cluster of one partition. */
  private readonly partitioning: Partitioning | null;

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
    partitioning: Partitioning | null = null,
  ) {
    this.policy = pinned;
    this.partitioning = partitioning !== null && partitioning.partitions > 1 ? partitioning : null;
  }

  /** P > 1: the other partitions' messages waiting for this partition's next entry. */
  get waiting(): number {
    return this.foreign.length;
  }

  /**
   * P > 1: one message of the cluster's stream (followStream), in stream order. This partition's own
   * entries are applied after the other partitions' messages their owner had applied first; the
   * others' wait for that, or are applied at once while `eager`. Entries at or below the position are
   * passed over (an owner's own, already applied when decided).
   */
  applyStreamed(m: StreamMessage): void | Promise<void> {
    const own = this.partitioning!.partition;
    if (m.partition !== own) {
      if (!this.eager) {
        this.foreign.push(m);
        return;
      }
      return this.applyForeign(m);
    }
    return this.applyOwn(m, 0);
  }

  private applyOwn(m: StreamMessage, from: number): void | Promise<void> {
    for (let i = from; i < m.entries.length; i++) {
      const e = m.entries[i];
      if (e.seq <= this.position.seq) continue;
      const { a } = parsePartitionMeta(e.meta, `journal entry ${e.seq} of partition ${m.partition}`);
      const r = this.drainForeign(a);
      if (r !== undefined) return r.then(() => this.applyOwn(m, i));
      const x = this.apply([e]);
      if (x !== undefined) return x.then(() => this.applyOwn(m, i + 1));
    }
    this.position = { seq: this.position.seq, streamSeq: m.streamSeq };
  }

  /** P > 1: applies the waiting messages up to stream sequence `upTo`, in order. */
  drainForeign(upTo = Infinity): void | Promise<void> {
    while (this.foreign.length > 0 && this.foreign[0].streamSeq <= upTo) {
      const m = this.foreign.shift()!;
      const r = this.applyForeign(m);
      if (r !== undefined) return r.then(() => this.drainForeign(upTo));
    }
  }

  /**
   * P > 1: from now on (this node owns the partition) the other partitions' messages are applied as
   * they come; what waits is applied first.
   */
  becomeEager(): void | Promise<void> {
    const r = this.drainForeign();
    if (r !== undefined) return r.then(() => this.becomeEager());
    this.eager = true;
  }

  /** What another partition's message changes here (Engine.applyDecidedElsewhere), and the stamp. */
  private applyForeign(m: StreamMessage, from = 0): void | Promise<void> {
    const { partition, partitions } = this.partitioning!;
    for (let i = from; i < m.entries.length; i++) {
      const e = m.entries[i];
      const where = `journal entry ${e.seq} of partition ${m.partition}`;
      if (e.type === 'control') {
        const r = this.foreignControl(e);
        if (r !== undefined) return r.then(() => this.applyForeign(m, i + 1));
        continue;
      }
      if (e.type === 'input') {
        const { input } = parseInputControl(e.event, e.seq);
        // an account's restrictions belong to its partition's engine alone
        if (input.kind !== 'restrict_account' || partitionOf(input.accountId, partitions) === partition) this.engine.applyInput(input);
        continue;
      }
      if (e.type === 'transaction') {
        this.engine.applyDecidedElsewhere(paymentDecidedElsewhere(e.event, where), parsePartitionMeta(e.meta, where).s);
        continue;
      }
      let ev;
      try {
        ev = parseEvent(JSON.parse(e.event));
      } catch (err) {
        throw new StoreError(`${where} cannot be applied: ${(err as Error).message}`, { cause: err });
      }
      this.engine.applyDecidedElsewhere(ev, null);
    }
    this.foreignApplied = m.streamSeq;
  }

  /** P > 1: a publication another partition's owner placed (partition 0 places them all); new windows start empty, everywhere alike. */
  private async foreignControl(e: JournalEntry): Promise<void> {
    const ctl = parseControl(e.event, e.seq);
    if (controlKey(ctl) === controlKey(this.policy.ctl)) {
      this.policy = { ...this.policy, ctl };
      return;
    }
    const runnable = await this.source.runnable(ctl);
    this.engine.replacePolicy(runnable.policy, runnable.model);
    this.policy = { ctl, runnable, seq: e.seq };
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
      // P > 1: new windows start empty where the entry stands, on every partition alike (the owner placed it so)
      if (this.partitioning === null && this.engine.freshWindowsFor(runnable.policy).length > 0) throw new RebuildWith(placed);
      this.engine.replacePolicy(runnable.policy, runnable.model);
      this.policy = placed;
    } else if (e.seq > this.pinned.seq) {
      this.policy = { ...this.policy, ctl, seq: e.seq };
    }
    this.position = { seq: e.seq, streamSeq: this.position.streamSeq };
  }
}
