/**
 * One partition on one cluster node (docs/scale-out.md, "Ownership" and "Followers and takeover"):
 * a follower keeps a warm replica engine by applying the partition's JetStream journal as it grows;
 * when the partition's lease is free it takes it, reads the few entries it is behind, and becomes
 * the owner — today's DecisionService and group commit, appending to JetStream behind the
 * expected-sequence fence. An owner that loses its lease, or whose append is refused, stops deciding
 * at once and becomes a follower again: from where it stood when everything it applied was durable,
 * or from the start when it had applied entries the journal refused.
 */
import type { Engine } from '../../engine/engine.js';
import type { JournalEntry } from '../../log/journal.js';
import { GroupCommit } from '../../server/group-commit.js';
import { SeenIds } from '../../server/seen-ids.js';
import { DecisionService } from '../../server/service.js';
import { followJournal, type JournalFollower } from '../../store/nats/journal-follower.js';
import { lastJournalSeq, readJournal, type JournalEnd } from '../../store/nats/journal-reader.js';
import { followStream, streamLastSeq, type StreamFeed, type StreamMessage } from '../../store/nats/stream-feed.js';
import { partitionMetaText } from '../../engine/shared-effects.js';
import type { Decider } from '../../server/decider.js';
import { BarrierDecider, StreamBarrier } from './stream-barrier.js';
import { startJetStreamJournalWriter, type JetStreamJournalWriter } from '../../store/nats/journal-writer.js';
import { acquireLease, watchLeaseReleases, type Lease } from '../../store/nats/lease.js';
import { clusterDecisionLookup } from './decision-lookup.js';
import { restorePartition } from './partition-snapshot.js';
import { firstPolicy, PartitionReplica, RebuildWith, startingPolicy, type PlacedPolicy } from './partition-replica.js';
import { Placements } from './placement.js';
import { RecentDecisions } from './recent-decisions.js';
import type { PartitionDeps, PartitionRole, PartitionStatus } from './partition-deps.js';

export type { PartitionDeps, PartitionRole, PartitionStatus } from './partition-deps.js';

interface Ownership {
  readonly lease: Lease;
  readonly writer: JetStreamJournalWriter;
  readonly commit: GroupCommit;
  readonly service: DecisionService;
  /** What routes and forwarded requests decide through: the service, behind the stream barrier when P > 1. */
  readonly decider: Decider;
  /** Highest seq the journal acknowledged. */
  committed: number;
}

/** Runs one partition on this node until stop(). */
export class PartitionRunner {
  private role: PartitionRole = 'following';
  private replica!: PartitionReplica;
  private seen = new SeenIds();
  private readonly recent: RecentDecisions;
  private follower: JournalFollower | null = null;
  /** P > 1: the whole stream, followed while this node follows or owns the partition. */
  private feed: StreamFeed | null = null;
  private owned: Ownership | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** What this node places in the journal while it owns the partition. */
  private readonly placements: Placements;
  /** Serialises role changes: a takeover and a loss never run at once. */
  private changing: Promise<void> = Promise.resolve();
  private takeovers = 0;
  private lastTakeoverMs: number | null = null;
  /** Stops watching for the owner's graceful release (null before start). */
  private unwatch: (() => void) | null = null;

  /** More than one partition: see PartitionDeps.partitions. */
  private readonly partitioned: boolean;

  constructor(private readonly deps: PartitionDeps) {
    this.partitioned = (deps.partitions ?? 1) > 1;
    this.recent = new RecentDecisions(deps.recentCapacity);
    this.placements = new Placements(deps, { owned: () => (this.role === 'owning' ? this.owned : null), replica: () => this.replica });
  }

  private get engine(): Engine {
    return this.replica.engine;
  }

  /** This node's engine of the partition (owned or followed): its policy and windows, read only. */
  currentEngine(): Engine {
    return this.replica.engine;
  }

  private get position(): JournalEnd {
    return this.replica.position;
  }

  private set position(p: JournalEnd) {
    this.replica.position = p;
  }

  /** A replica at the journal's start running `policy`. */
  private fresh(policy: PlacedPolicy): PartitionReplica {
    const { partition, partitions = 1 } = this.deps;
    return new PartitionReplica(this.deps.makeEngine(policy.runnable), this.deps.policies, policy, { seq: 0, streamSeq: 0 }, (e) => this.saw(e), { partition, partitions });
  }

  /** The policy a replica starts from: P > 1 replays the whole stream from the first publication, so every control entry applies where it stands. */
  private startPolicy(): Promise<PlacedPolicy> {
    return this.partitioned ? firstPolicy(this.deps.policies) : startingPolicy(this.deps.policies, this.deps.projection, this.deps.partition);
  }

  private saw(e: JournalEntry): void {
    if (e.txId !== null) {
      this.seen.add(e.txId);
      this.recent.add(e);
    }
  }

  /**
   * Builds the replica: the policy the journal last placed, and the newest usable snapshot (when the
   * projection holds every id before it, so a retry of an old payment is still recognised). Nothing
   * is followed or decided until `run`.
   */
  async prepare(): Promise<string> {
    const policy = await this.startPolicy();
    this.replica = this.fresh(policy);
    if (this.partitioned) return `partition ${this.deps.partition} of ${this.deps.partitions}: replaying the cluster's stream from its start (snapshots are not used with several partitions yet)`;
    return this.restore(policy);
  }

  /** Follows the journal after the replica's position and tries for the lease (after `prepare`). */
  run(): void {
    this.follow();
    this.scheduleAcquire(0);
    // an owner stopping gracefully deletes its lease: try at once, not at the next attempt
    this.unwatch = watchLeaseReleases(this.deps.cluster, this.deps.partition, () => {
      if (this.role !== 'following' || this.timer === null) return; // an attempt is running, or we own it
      clearTimeout(this.timer);
      this.timer = null;
      this.scheduleAcquire(0);
    });
  }

  private async restore(policy: PlacedPolicy): Promise<string> {
    const { snapshots, partition, projection } = this.deps;
    if (snapshots === null) return `partition ${partition}: no snapshots; replaying the journal from its first entry`;
    let ids: SeenIds | null = null;
    const r = await restorePartition({
      cluster: this.deps.cluster,
      store: snapshots,
      partition,
      policy: policy.runnable.policy,
      create: () => this.deps.makeEngine(policy.runnable),
      seal: this.deps.sealer,
      journalSealer: this.deps.sealer,
      usable: async (seq) => {
        // every id decided up to the snapshot must be known, or an old payment re-sent would be decided again
        const seen = new SeenIds();
        const n = await projection.txIdsUpTo(partition, seq, (id) => seen.add(id));
        if (n < seq) return `the PostgreSQL projection holds ${n} of entries 1-${seq} (is a projector running?)`;
        ids = seen;
        return null;
      },
    });
    const skipped = r.skipped.length > 0 ? `; skipped: ${r.skipped.join('; ')}` : '';
    if (r.position.seq === 0 || ids === null) return `partition ${partition}: no usable snapshot; replaying the journal from its first entry${skipped}`;
    this.replica = new PartitionReplica(r.engine, this.deps.policies, policy, r.position, (e) => this.saw(e));
    this.seen = ids;
    this.recent.forgetThrough(r.position.seq);
    return `partition ${partition}: restored the snapshot at entry ${r.position.seq} in ${r.ms.toFixed(0)} ms; following the journal after it${skipped}`;
  }

  /** The DecisionService while this node owns the partition; null otherwise. */
  get service(): DecisionService | null {
    return this.role === 'owning' ? (this.owned?.service ?? null) : null;
  }

  /** What to decide through while this node owns the partition (behind the stream barrier when P > 1); null otherwise. */
  get decider(): Decider | null {
    return this.role === 'owning' ? (this.owned?.decider ?? null) : null;
  }

  status(): PartitionStatus {
    const p = this.replica?.policy;
    return {
      partition: this.deps.partition,
      role: this.role,
      seq: this.owned?.commit.lastSeq ?? this.replica?.position.seq ?? 0,
      takeovers: this.takeovers,
      lastTakeoverMs: this.lastTakeoverMs,
      policy: { name: this.replica?.engine.currentPolicy.name ?? '', version: p?.ctl.version ?? 0, modes: p?.ctl.overlays.map((o) => o.name) ?? [], placedAt: p?.seq ?? 0 },
      placing: this.placements.placing,
      placeFailure: this.placements.failure,
      waitingMessages: this.replica?.waiting ?? 0,
    };
  }

  /** A decision this node has seen (owned or followed), for reads on a node that does not own the partition. */
  recentDecision(txId: string): string | null {
    return this.recent.get(txId)?.decision ?? null;
  }

  /**
   * Stops: an owner finishes what is in flight (flushes its group commit) and releases the lease
   * so another node takes over without waiting for it to expire; a follower stops following.
   */
  async stop(): Promise<void> {
    this.unwatch?.();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.placements.stop();
    await this.change(async () => {
      const was = this.role;
      this.role = 'stopped';
      const o = this.owned;
      this.owned = null;
      if (o !== null) {
        if (was === 'owning') this.deps.onOwnerChange?.(null);
        await o.commit.flush().catch(() => undefined);
        await o.writer.close().catch(() => undefined);
        await o.lease.release().catch(() => undefined);
      }
      await this.follower?.stop();
      this.follower = null;
      await this.feed?.stop();
      this.feed = null;
    });
  }

  private change(fn: () => Promise<void>): Promise<void> {
    const next = this.changing.then(fn, fn);
    this.changing = next.catch((e: unknown) => this.deps.log(`partition ${this.deps.partition}: ${(e as Error).message}`));
    return this.changing;
  }

  private follow(): void {
    if (this.partitioned) return this.followAll();
    const f = followJournal(this.deps.cluster, this.deps.partition, { after: this.position, sealer: this.deps.sealer }, (entries, streamSeq) => {
      const done = (): void => {
        this.position = { seq: this.position.seq, streamSeq };
      };
      const r = this.replica.apply(entries);
      if (r === undefined) return done();
      return r.then(done);
    });
    this.follower = f;
    void f.done.then((err) => {
      if (err === null || this.follower !== f || this.role !== 'following') return;
      // a hole, a payload not opened, an entry not replayed, a policy needing new windows: rebuild
      this.deps.log(`partition ${this.deps.partition}: following stopped (${err.message}); rebuilding the replica from the journal's start`);
      this.follower = null;
      void this.change(async () => {
        await this.deps.refreshKeys().catch(() => undefined);
        if (this.role !== 'following') return;
        await this.rebuild(err instanceof RebuildWith ? err.target : undefined);
        this.follow();
      });
    });
  }

  /**
   * P > 1: follows the cluster's whole stream. While following, the replica takes every message;
   * while owning, its own messages (applied when decided) only move the position. When the feed
   * stops with an error, the replica is rebuilt from the stream's start — unless this node owns the
   * partition: then it stops owning (its engine may have missed what the others decided).
   */
  private followAll(): void {
    const feed = followStream(this.deps.cluster, this.deps.sealer, (m) => this.streamed(m));
    this.feed = feed;
    void feed.done.then((err) => {
      if (err === null || this.feed !== feed || this.role === 'stopped') return;
      this.feed = null;
      if (this.role === 'owning') return void this.lose(err);
      this.deps.log(`partition ${this.deps.partition}: following the stream stopped (${err.message}); rebuilding the replica from the stream's start`);
      void this.change(async () => {
        await this.deps.refreshKeys().catch(() => undefined);
        if (this.role === 'stopped' || this.role === 'owning' || this.feed !== null) return;
        await this.rebuild();
        this.followAll();
      });
    });
  }

  private streamed(m: StreamMessage): void | Promise<void> {
    const o = this.owned;
    if (m.partition === this.deps.partition && o !== null) {
      // decided here: only the position moves (the writer knows its own end)
      const last = m.entries[m.entries.length - 1];
      if (last !== undefined && last.seq > this.position.seq) this.position = { seq: last.seq, streamSeq: m.streamSeq };
      return;
    }
    return this.replica.applyStreamed(m);
  }

  /**
   * A fresh replica from the journal's start (the old one applied entries the journal does not hold,
   * or meets a policy needing windows it lacks: `target`). A rebuild in a running node does not look
   * for snapshots: it is rare, and the journal is the truth.
   */
  private async rebuild(target?: PlacedPolicy): Promise<void> {
    this.replica = this.fresh(target ?? (await this.startPolicy()));
    this.seen = new SeenIds();
    this.recent.clear();
  }

  private scheduleAcquire(ms: number): void {
    if (this.role === 'stopped') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.change(() => this.tryOwn()).finally(() => {
        if (this.role === 'following') this.scheduleAcquire(this.deps.acquireEveryMs ?? Math.max(100, Math.floor(this.deps.cluster.ownerTtlMs / 3)));
      });
    }, ms);
    this.timer.unref();
  }

  /** Takes the lease if it is free, catches up and becomes the owner. */
  private async tryOwn(): Promise<void> {
    if (this.role !== 'following') return;
    if (this.deps.mayTake !== undefined && !this.deps.mayTake()) return;
    const { cluster, partition } = this.deps;
    const lease = await acquireLease({ cluster, partition, holder: this.deps.nodeId, onLost: (e) => void this.lose(e) });
    if (lease === null) return;
    const started = performance.now();
    this.role = 'taking-over';
    if (this.partitioned) return this.takeOverPartitioned(lease, started);
    try {
      const f = this.follower;
      this.follower = null;
      const failed = f === null ? null : (await f.stop(), await f.done);
      if (failed !== null) {
        this.deps.log(`partition ${partition}: the replica stopped (${failed.message}); rebuilding it from the journal's start before taking over`);
        await this.rebuild(failed instanceof RebuildWith ? failed.target : undefined);
      }
      // the few entries the follower had not applied yet, up to the journal's end as it is now
      const end = await lastJournalSeq(cluster, partition);
      if (end.seq > this.position.seq) {
        for await (const e of readJournal(cluster, partition, {
          fromSeq: this.position.seq + 1,
          toSeq: end.seq,
          sealer: this.deps.sealer,
          ...(this.position.streamSeq > 0 ? { startStreamSeq: this.position.streamSeq + 1 } : {}),
        })) {
          await this.replica.apply([e]);
        }
      }
      if (this.position.seq !== end.seq) throw new Error(`caught up to entry ${this.position.seq}, but the journal ends at ${end.seq}`);
      this.position = end;
      if (!lease.held) throw new Error('the lease was lost during the catch-up');
      const writer = await startJetStreamJournalWriter({ cluster, partition, sealer: this.deps.sealer, after: end });
      const own: { o: Ownership | null } = { o: null };
      const commit = new GroupCommit(writer, end.seq, {
        onCommit: (size, ms) => {
          this.deps.metrics.commit(size, ms);
          if (own.o !== null) own.o.committed += size;
        },
        onFail: (e) => void this.lose(e),
      });
      this.becomeOwner(lease, writer, commit, own, end, started, null);
    } catch (e) {
      this.deps.log(`partition ${partition}: takeover abandoned: ${(e as Error).message}`);
      await lease.release().catch(() => undefined);
      this.role = 'following';
      await this.rebuild(e instanceof RebuildWith ? e.target : undefined);
      this.follow();
    }
  }

  /** The owner's service over `commit`, then the role: what both kinds of takeover end with. */
  private becomeOwner(lease: Lease, writer: JetStreamJournalWriter, commit: GroupCommit, own: { o: Ownership | null }, end: JournalEnd, started: number, barrier: StreamBarrier | null): void {
    const { partition } = this.deps;
    const service = new DecisionService(this.engine, clusterDecisionLookup(partition, this.recent, this.deps.projection), commit, this.deps.metrics, this.seen);
    service.onCommitted((seq, e, _d, eventJson, decisionJson) => {
      if (e.type === 'transaction' && decisionJson !== null) this.recent.put({ seq, txId: e.id, event: eventJson, decision: decisionJson });
    });
    const decider = barrier === null ? service : new BarrierDecider(service, barrier, partition);
    own.o = { lease, writer, commit, service, decider, committed: end.seq };
    this.owned = own.o;
    this.role = 'owning';
    this.takeovers++;
    this.lastTakeoverMs = performance.now() - started;
    this.deps.log(`partition ${partition}: owned by this node from entry ${end.seq + 1} (takeover ${this.lastTakeoverMs.toFixed(0)} ms)`);
    this.deps.onOwnerChange?.(decider);
    // what was published while no node owned the partition (or its last owner was warming) is placed now
    this.placements.schedule(0);
  }

  /**
   * P > 1: the takeover. The feed is read up to the stream's end as it is now — the partition's own
   * entries to the last, and the others' messages before them — then what the others decided
   * since this partition's last entry is applied, and the engine keeps up with the stream from then
   * on. Every entry it journals carries the stream position it stood at, and each payment its shared
   * effects (GroupCommit's annotate), for the other partitions and for its followers.
   */
  private async takeOverPartitioned(lease: Lease, started: number): Promise<void> {
    const { cluster, partition } = this.deps;
    try {
      const feed = this.feed;
      if (feed === null) throw new Error('the stream is not being followed');
      await feed.reached(await streamLastSeq(cluster));
      const end = await lastJournalSeq(cluster, partition);
      if (this.position.seq !== end.seq) throw new Error(`caught up to entry ${this.position.seq}, but the journal ends at ${end.seq}`);
      this.position = end;
      await this.replica.becomeEager();
      if (!lease.held) throw new Error('the lease was lost during the catch-up');
      const writer = await startJetStreamJournalWriter({ cluster, partition, sealer: this.deps.sealer, after: end });
      const own: { o: Ownership | null } = { o: null };
      const replica = this.replica;
      const commit = new GroupCommit(writer, end.seq, {
        onCommit: (size, ms) => {
          this.deps.metrics.commit(size, ms);
          if (own.o !== null) own.o.committed += size;
        },
        onFail: (e) => void this.lose(e),
        annotate: (type) => partitionMetaText(replica.foreignApplied, type === 'transaction' ? replica.engine.sharedEffects() : null),
      });
      const barrier = new StreamBarrier(() => streamLastSeq(cluster), (seq) => feed.reached(seq));
      this.becomeOwner(lease, writer, commit, own, end, started, barrier);
    } catch (e) {
      this.deps.log(`partition ${partition}: takeover abandoned: ${(e as Error).message}`);
      await lease.release().catch(() => undefined);
      this.role = 'following';
      await this.restartFeed();
    }
  }

  /** P > 1: a fresh replica and a fresh feed from the stream's start (the old replica may be anywhere). */
  private async restartFeed(): Promise<void> {
    const f = this.feed;
    this.feed = null;
    await f?.stop();
    await this.rebuild();
    if (this.role !== 'stopped') this.followAll();
  }

  /** True while this node owns the partition. */
  owning(): boolean {
    return this.role === 'owning';
  }

  /** Gives the partition up on purpose (balance.ts): what is in flight is flushed, the lease released, and another node takes it. */
  handOver(why: string): Promise<void> {
    return this.lose(new Error(why));
  }

  /** Lease lost or append refused: stop deciding now, then follow again. */
  private lose(why: Error): Promise<void> {
    const o = this.owned;
    if (o === null || this.role !== 'owning') return Promise.resolve();
    this.role = 'taking-over'; // neither owning nor following: the router forwards meanwhile
    this.deps.onOwnerChange?.(null);
    this.deps.log(`partition ${this.deps.partition}: no longer owned by this node: ${why.message}`);
    return this.change(async () => {
      if (this.owned !== o) return;
      this.owned = null;
      // what was applied and is durable stays valid; entries refused by the journal make the replica wrong
      await o.commit.flush().catch(() => undefined);
      await o.writer.close().catch(() => undefined);
      await o.lease.release().catch(() => undefined);
      if (this.partitioned) {
        // an owner applied the others' messages as they came: its engine is ahead of any follower's
        // order, so it follows again from the stream's start
        if (this.role === 'stopped') return;
        this.role = 'following';
        await this.restartFeed();
        this.scheduleAcquire(this.deps.cluster.ownerTtlMs);
        return;
      }
      if (o.commit.failed === null && o.committed === o.commit.lastSeq) {
        this.position = { seq: o.commit.lastSeq, streamSeq: o.writer.lastSubjectSeq };
      } else {
        await this.rebuild();
      }
      if (this.role === 'stopped') return;
      this.role = 'following';
      this.follow();
      // give the node that took it a moment before trying for the lease again
      this.scheduleAcquire(this.deps.cluster.ownerTtlMs);
    });
  }

  /**
   * Asks the owner to place what was recorded and is not in its journal yet (announced by the node
   * that recorded it; also polled): the wanted policy, account and merchant actions.
   */
  controlChanged(): void {
    if (this.role === 'owning') this.placements.schedule(0);
  }
}
