/**
 * A server start with snapshots: restore the newest usable snapshot (restore.ts), fill the seen-id
 * set with the transaction ids before it from the journal's index, and replay only the journal
 * after it, with the inputs kept beside the journal in place (account and merchant actions, see
 * store/sqlite/side-inputs.ts) — what the checkpointer's replica does too, so a snapshot is what a start
 * at its seq would rebuild.
 */
import type { Engine } from '../engine/engine.js';
import { snapshotsDir } from '../engine/snapshot/engine-snapshot.js';
import type { SnapshotSeal } from '../engine/snapshot/format.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { Journal } from './journal.js';
import { recover, type RecoveryReport } from './recovery.js';
import { describeRestore, restoreEngine } from './restore.js';

/**
 * What a start rebuilds from, beside the snapshots: the journal, and how the store that keeps it
 * replays it into an engine and lists its ids. The composition root builds it over an adapter.
 */
export interface RecoverySource {
  readonly journal: Journal;
  /**
   * The journal a recovery of `engine` replays from `fromSeq` (a snapshot's seq; 0 for all), with
   * the inputs kept beside it applied at the journal positions they took effect (see journalFrom).
   */
  replayFrom(engine: Engine, fromSeq: number): Journal;
  /** Calls `cb` with the transaction id of every entry with seq ≤ `seq`, in any order. */
  txIdsUpTo(seq: number, cb: (txId: string) => void): void;
  /** Opens sealed snapshot bodies (encryption at rest); absent or null when the folder is not sealed. */
  readonly snapshotSeal?: SnapshotSeal | null;
}

/** The engine a start serves with, what recovery did, and the line saying where it started. */
export interface Recovered {
  readonly engine: Engine;
  readonly recovery: RecoveryReport;
  /** For the start log; null when there was nothing to say (no snapshots, empty journal). */
  readonly note: string | null;
}

/**
 * Rebuilds the engine of the data folder `dataDir`: from its newest usable snapshot when
 * `snapshots`, else (or when none is usable) by replaying the whole journal. `create` makes a fresh
 * engine running `policy`; `onTransaction` sees every journaled transaction id (those before the
 * snapshot in index order, then the replayed ones in seq order).
 */
export function recoverEngine(
  source: RecoverySource,
  dataDir: string,
  policy: CompiledPolicy,
  create: () => Engine,
  onTransaction: (txId: string) => void,
  snapshots: boolean,
): Recovered {
  if (!snapshots) {
    const engine = create();
    return { engine, recovery: { ...recover(source.replayFrom(engine, 0), engine, onTransaction), snapshot: null }, note: null };
  }
  const restored = restoreEngine(snapshotsDir(dataDir), policy, create, source.journal, source.snapshotSeal ?? null);
  const { engine, seq } = restored;
  const started = performance.now();
  if (seq > 0) source.txIdsUpTo(seq, onTransaction);
  const idsMs = performance.now() - started;
  const report = recover(source.replayFrom(engine, seq), engine, onTransaction, seq);
  const snapshot = restored.file === null ? null : { file: restored.file, seq, ms: restored.ms + idsMs };
  const recovery: RecoveryReport = { ...report, ms: report.ms + restored.ms + idsMs, snapshot, snapshotsSkipped: restored.skipped };
  const quiet = restored.file === null && restored.skipped.length === 0 && report.lastSeq === 0;
  return { engine, recovery, note: quiet ? null : describeRestore(restored, report.events) };
}
