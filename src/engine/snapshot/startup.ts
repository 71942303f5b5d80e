/**
 * A server start with snapshots: restore the newest usable snapshot (restore.ts), fill the seen-id
 * set with the transaction ids before it from the journal's index, and replay only the journal
 * after it, with the store's actions in place (side-inputs.ts) — what the checkpointer's replica
 * does too, so a snapshot is what a start at its seq would rebuild.
 */
import type { CompiledPolicy } from '../../rules/policy-types.js';
import { recover, type RecoveryReport } from '../../server/recovery.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Engine } from '../engine.js';
import { snapshotsDir } from './engine-snapshot.js';
import { forEachTxIdUpTo } from './journal-ids.js';
import { describeRestore, restoreEngine } from './restore.js';
import { recoveryJournal } from './side-inputs.js';

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
  store: SqliteStore,
  dataDir: string,
  policy: CompiledPolicy,
  create: () => Engine,
  onTransaction: (txId: string) => void,
  snapshots: boolean,
): Recovered {
  if (!snapshots) {
    const engine = create();
    return { engine, recovery: { ...recover(recoveryJournal(store, engine), engine, onTransaction), snapshot: null }, note: null };
  }
  const restored = restoreEngine(snapshotsDir(dataDir), policy, create, store);
  const { engine, seq } = restored;
  const started = performance.now();
  if (seq > 0) forEachTxIdUpTo(store.database, seq, onTransaction);
  const idsMs = performance.now() - started;
  const report = recover(recoveryJournal(store, engine, seq), engine, onTransaction, seq);
  const snapshot = restored.file === null ? null : { file: restored.file, seq, ms: restored.ms + idsMs };
  const recovery: RecoveryReport = { ...report, ms: report.ms + restored.ms + idsMs, snapshot, snapshotsSkipped: restored.skipped };
  const quiet = restored.file === null && restored.skipped.length === 0 && report.lastSeq === 0;
  return { engine, recovery, note: quiet ? null : describeRestore(restored, report.events) };
}
