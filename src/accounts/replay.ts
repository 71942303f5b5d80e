/**
 * Account actions at restart. An action is no journal event, but it took effect at a journal
 * position (the seq of the last event applied before it, AccountActionRecord.journalSeq). Replaying
 * the journal through `journalWithAccountActions` applies each action right after that entry, so
 * every payment the journal holds is decided again with exactly the restrictions it was decided
 * with — a frozen account's declined payments stay declined and use no credit — and the actions are
 * all in force once the replay is done.
 */
import type { Engine } from '../engine/engine.js';
import type { Journal } from '../log/journal.js';
import type { AccountStore } from './store.js';
import { foldAction, NO_RESTRICTIONS, toEngine, type AccountActionRecord, type Restrictions } from './types.js';

/**
 * Applies `actions` (in journal_seq order) to `engine` as a replay passes their positions: each
 * call applies those that took effect at or before `seq`, once; returns how many it applied.
 * Shared by restarts (journalWithAccountActions) and backtests (store/sqlite/side-inputs.ts).
 */
export function accountActionSteps(actions: readonly AccountActionRecord[], engine: Engine): (seq: number) => number {
  const states = new Map<string, Restrictions>();
  let next = 0;
  return (seq) => {
    const first = next;
    while (next < actions.length && actions[next].journalSeq <= seq) {
      const a = actions[next++];
      const r = foldAction(states.get(a.accountId) ?? NO_RESTRICTIONS, a);
      states.set(a.accountId, r);
      engine.applyInput({ kind: 'restrict_account', accountId: a.accountId, restriction: toEngine(r) });
    }
    return next - first;
  };
}

/**
 * `journal` as a Journal whose full replay (forEachEvent) applies the account actions of `accounts` in
 * place. The store's sync form: the actions are read once, before a replay loop that must not wait.
 */
export function journalWithAccountActions(journal: Journal, accounts: Pick<AccountStore<'sync'>, 'allActions'>, engine: Engine): Journal {
  const actions = accounts.allActions();
  if (actions.length === 0) return journal;
  const applyUpTo = accountActionSteps(actions, engine);
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
