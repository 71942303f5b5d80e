/**
 * Merchant actions at restart. An action is no journal event, but it took effect at a journal
 * position (the seq of the last event applied before it, MerchantAction.fromSeq) and was released at
 * another (toSeq). Replaying the journal through `journalWithMerchantActions` applies and lifts each
 * one right after those entries, so every payment the journal holds is decided again with exactly
 * the holds and suspensions it was decided with (a suspended terminal's declined payments stay
 * declined and use no credit), and the actions in force are in force once the replay is done.
 * Composes with accounts/replay.ts (each wraps a Journal).
 */
import type { Engine } from '../engine/engine.js';
import type { Journal } from '../log/journal.js';
import type { MerchantAction, MerchantActionStore } from './store.js';

interface Step {
  readonly seq: number;
  /** 0: release before 1: take, at the same position (a release and a new hold after the same entry). */
  readonly order: number;
  readonly row: MerchantAction;
}

/**
 * Applies and lifts the merchant actions `rows` on `engine` as a replay passes their positions: each
 * call takes and releases those due at or before `seq`, once; returns how many steps it applied.
 * Shared by restarts (journalWithMerchantActions) and backtests (store/sqlite/side-inputs.ts).
 */
export function merchantActionSteps(rows: readonly MerchantAction[], engine: Engine): (seq: number) => number {
  const steps: Step[] = [];
  for (const row of rows) {
    steps.push({ seq: row.fromSeq, order: 1, row });
    if (row.releasedAt !== null) steps.push({ seq: row.toSeq ?? row.fromSeq, order: 0, row });
  }
  steps.sort((a, b) => a.seq - b.seq || a.order - b.order || a.row.id - b.row.id);
  let next = 0;
  return (seq) => {
    const first = next;
    while (next < steps.length && steps[next].seq <= seq) {
      const { order, row } = steps[next++];
      const target = row.action === 'hold_settlement' ? row.merchantId : row.terminalId!;
      if (order === 1) {
        const control = { id: row.id, expiresAt: row.expiresAt ?? Infinity };
        if (row.action === 'hold_settlement') engine.applyInput({ kind: 'hold_settlement', merchantId: target, control });
        else engine.applyInput({ kind: 'suspend_terminal', terminalId: target, control });
      } else if (row.action === 'hold_settlement') engine.applyInput({ kind: 'release_settlement', merchantId: target, id: row.id });
      else engine.applyInput({ kind: 'release_terminal', terminalId: target, id: row.id });
    }
    return next - first;
  };
}

/**
 * `journal` as a Journal whose full replay (forEachEvent) applies the merchant actions of `merchants`
 * in place. The store's sync form: the actions are read once, before a replay loop that must not wait.
 */
export function journalWithMerchantActions(journal: Journal, merchants: Pick<MerchantActionStore<'sync'>, 'everything'>, engine: Engine): Journal {
  const rows = merchants.everything();
  if (rows.length === 0) return journal;
  const applyUpTo = merchantActionSteps(rows, engine);
  return {
    append: (batch) => journal.append(batch),
    decision: (txId) => journal.decision(txId),
    lastSeq: () => journal.lastSeq(),
    forEachEventInRange: (range, cb) => journal.forEachEventInRange(range, cb),
    close: () => journal.close(),
    forEachEvent(cb) {
      applyUpTo(0);
      journal.forEachEvent((entry) => {
        cb(entry);
        applyUpTo(entry.seq);
      });
      applyUpTo(Infinity);
    },
  };
}
