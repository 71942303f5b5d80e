/**
 * A replica of the server's engine, kept by tailing the journal through a read-only connection and
 * applying every entry exactly as recovery does (replayEntry, a fresh engine built the same way,
 * the same starting snapshot), so a snapshot of it is what a restart at that seq would rebuild.
 * It follows the live policy: when the store's live version, incident modes or model change, it is
 * rebuilt the way a start would build it (newest usable snapshot, then the journal after it).
 * Synchronous and single-threaded: the checkpointer runs it in a worker, `fengkong snapshot` inline;
 * so it reads the policy store's synchronous form (`PolicyStore<'sync'>`).
 */
import { StoreError } from '../errors.js';
import type { PolicyStore } from '../policy/versions.js';
import { recover, replayEntry } from '../log/recovery.js';
import type { JournalEntry } from '../log/journal.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Engine } from '../engine/engine.js';
import { pruneSnapshots, writeEngineSnapshot, type WrittenSnapshot } from '../engine/snapshot/engine-snapshot.js';
import type { JournalMark, WritePacing } from '../engine/snapshot/format.js';
import { compileLive, liveKey, type LiveRunnable } from '../policy/live-runnable.js';
import { markOf, restoreEngine, type RestoredEngine } from '../log/restore.js';
import { recoveryJournal, SideInputReader } from '../store/sqlite/side-inputs.js';

/** Entries read per statement: keeps each read transaction short, so the writer's WAL checkpoints are not held up. */
const READ_SLICE = 20_000;

/** Where a replica stands. */
export interface ReplicaStatus {
  /** Last journal seq applied. */
  readonly seq: number;
  /** The policy it runs (effective name), null before the first build. */
  readonly policy: string | null;
  /** Seq of the last snapshot written or started from (0: none). */
  readonly snapshotSeq: number;
}

/** One replica; `build` first, then `catchUp` and `writeSnapshot` as often as wanted. */
export class Replica {
  private engine: Engine | null = null;
  private runnable: LiveRunnable | null = null;
  private seq = 0;
  private last: JournalEntry | null = null;
  private readonly side: SideInputReader;
  private sideKey: string | null = null;
  /** Seq and wall time of the newest snapshot this replica wrote or started from. */
  snapshotSeq = 0;
  snapshotAt = Date.now();

  constructor(
    private readonly journal: SqliteStore,
    private readonly policies: PolicyStore<'sync'>,
    /** The snapshots folder: read at every (re)build, written by writeSnapshot. */
    private readonly dir: string,
  ) {
    this.side = new SideInputReader(journal.database);
  }

  /** Where it stands. */
  status(): ReplicaStatus {
    return { seq: this.seq, policy: this.runnable?.policy.name ?? null, snapshotSeq: this.snapshotSeq };
  }

  /**
   * Why the replica must be rebuilt, or null: the store's live policy differs from the one it runs,
   * or an account or merchant action was added or released (once the journal holds the position
   * it takes effect at, so the rebuild applies it where a start would).
   */
  stale(): string | null {
    const k = liveKey(this.policies);
    if (k !== null && k.key !== this.runnable?.live.key) return 'the live policy changed';
    const side = this.side.read();
    if (side.key !== this.sideKey && side.maxSeq <= this.journal.lastSeq()) return 'account or merchant actions changed';
    return null;
  }

  /**
   * False while an account or merchant action takes effect at a journal position the journal does
   * not hold yet (its entries are still on their way to disk): a build now would apply it at the
   * journal's end, too early. Wait a moment and build then.
   */
  canBuild(): boolean {
    return this.side.read().maxSeq <= this.journal.lastSeq();
  }

  /**
   * (Re)builds the engine for the live policy exactly as a server start would: the newest usable
   * snapshot (or a fresh engine), then the journal after it with the store's actions in place.
   * Returns what the restore did (which snapshots it passed over).
   */
  build(): RestoredEngine {
    const k = liveKey(this.policies);
    if (k === null) throw new StoreError('no live policy version in the store yet');
    const runnable = compileLive(this.policies, k);
    const model = runnable.model ?? undefined;
    const sideKey = this.side.read().key;
    const restored = restoreEngine(this.dir, runnable.policy, () => new Engine(runnable.policy, { model }), this.journal, this.journal.crypt.snapshotSeal());
    const journal = recoveryJournal(this.journal, restored.engine, restored.seq, READ_SLICE);
    const report = recover(journal, restored.engine, () => {}, restored.seq);
    this.engine = restored.engine;
    this.runnable = runnable;
    this.sideKey = sideKey;
    this.seq = report.lastSeq;
    this.last = null;
    this.snapshotSeq = restored.seq;
    this.snapshotAt = restored.header?.createdAt ?? Date.now();
    return restored;
  }

  /**
   * Applies journal entries after the replica's seq until the journal's end or `deadline`
   * (performance.now() time); returns how many were applied.
   */
  catchUp(deadline = Infinity): number {
    const engine = this.engine;
    if (engine === null) throw new StoreError('replica not built');
    let n = 0;
    for (;;) {
      const end = this.journal.lastSeq();
      if (end <= this.seq) return n;
      let stopped = false;
      this.journal.forEachEventInRange({ fromSeq: this.seq + 1, toSeq: Math.min(end, this.seq + READ_SLICE) }, (entry) => {
        replayEntry(engine, entry, this.seq);
        this.seq = entry.seq;
        this.last = entry;
        n++;
        if ((n & 255) === 0 && performance.now() >= deadline) stopped = true;
        return !stopped;
      });
      if (stopped) return n;
    }
  }

  /** Entries applied since the last snapshot. */
  get behindSnapshot(): number {
    return this.seq - this.snapshotSeq;
  }

  /** Writes the snapshot of the replica's seq (nothing when it has one already) and keeps the newest `keep`. */
  writeSnapshot(writer: string, keep: number, pacing?: WritePacing): WrittenSnapshot | null {
    if (this.engine === null || this.runnable === null) throw new StoreError('replica not built');
    if (this.seq === this.snapshotSeq) return null;
    let mark: JournalMark | null = this.last === null ? null : markOf(this.last);
    if (mark === null && this.seq > 0) {
      this.journal.forEachEventInRange({ fromSeq: this.seq, toSeq: this.seq }, (e) => {
        mark = markOf(e);
        return false;
      });
    }
    const written = writeEngineSnapshot(this.engine, this.dir, { seq: this.seq, policy: this.runnable.meta, writer, mark }, pacing, this.journal.crypt.snapshotSeal());
    this.snapshotSeq = this.seq;
    this.snapshotAt = written.header.createdAt;
    pruneSnapshots(this.dir, keep);
    return written;
  }
}
