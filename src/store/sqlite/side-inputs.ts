/**
 * The inputs recovery takes from the store beside the journal: account actions (freeze, lowered
 * limit, step-up) and merchant actions (settlement holds, terminal suspensions), each applied at
 * the journal position it took effect (accounts/replay.ts, merchants/replay.ts). A server start and
 * the checkpointer's replica both replay through `recoveryJournal`, so both apply them alike.
 *
 * Account restrictions live on AccountState and are in a snapshot; merchant controls are not (like
 * lists, they are the store's): replaying from a snapshot's seq re-applies every action up to it
 * right after that entry (see journalFrom), which sets the restrictions again to the same values
 * and the controls for the first time. The replica cannot take new actions mid-replay (the
 * wrappers read them once), so it is rebuilt, as a start would rebuild it, when `sideInputs`
 * changes.
 */
import type { Database } from 'better-sqlite3';
import { accountActionSteps, journalWithAccountActions } from '../../accounts/replay.js';
import { journalWithMerchantActions, merchantActionSteps } from '../../merchants/replay.js';
import { journalFrom } from '../../log/recovery.js';
import type { Journal } from '../../log/journal.js';
import type { RecoverySource } from '../../log/startup.js';
import { forEachTxIdUpTo } from './journal-ids.js';
import { SqliteAccountStore } from './accounts.js';
import { SqliteMerchantStore } from './merchants.js';
import { ListSet } from '../../lists/list-set.js';
import { SqliteListStore } from './lists.js';
import type { SqliteStore } from './sqlite-store.js';
import type { Engine } from '../../engine/engine.js';

/**
 * The journal a recovery of `engine` replays, from `fromSeq` (a snapshot's seq; 0 for all), with
 * the store's actions in place; `slice` > 0 reads it in statements of that many entries (see journalFrom).
 */
export function recoveryJournal(store: SqliteStore, engine: Engine, fromSeq = 0, slice = 0): Journal {
  const accounts = journalWithAccountActions(journalFrom(store, fromSeq, slice), new SqliteAccountStore(store.database), engine);
  return journalWithMerchantActions(accounts, new SqliteMerchantStore(store.database), engine);
}

/** What a server start recovers from (log/startup.ts): `store`'s journal with its actions in place. */
export function storeRecoverySource(store: SqliteStore): RecoverySource {
  return {
    journal: store,
    replayFrom: (engine, fromSeq) => recoveryJournal(store, engine, fromSeq),
    txIdsUpTo: (seq, cb) => forEachTxIdUpTo(store.database, seq, cb),
    snapshotSeal: store.crypt.snapshotSeal(),
  };
}

/**
 * The store's account and merchant actions as one schedule for a replay into `engine` that reads
 * the journal itself (a backtest): call it with a seq before the first entry read and after each
 * entry; it applies what took effect up to there, once, and returns how many steps it applied.
 * `db` may be read-only; a store without the action tables has none.
 */
export function storeActionSteps(db: Database, engine: Engine): (seq: number) => number {
  let accounts: (seq: number) => number = () => 0;
  let merchants: (seq: number) => number = () => 0;
  try {
    accounts = accountActionSteps(new SqliteAccountStore(db).allActions(), engine);
  } catch {
    // no account action table yet: none
  }
  try {
    merchants = merchantActionSteps(new SqliteMerchantStore(db).everything(), engine);
  } catch {
    // no merchant action table yet: none
  }
  return (seq) => accounts(seq) + merchants(seq);
}

/**
 * The store's lists as they are now, for a replay into a new engine (a backtest): every entry still
 * on a list, those that have expired by the wall clock too — an entry expires at the payment's event
 * time, so history sees it while it held. Entries removed since are gone (lists keep no history);
 * `db` may be read-only, and a store without list tables has the default lists, empty.
 */
export function storeLists(db: Database): ListSet {
  const lists = new ListSet();
  try {
    new SqliteListStore(db).loadInto(lists, 0);
  } catch {
    // no list tables yet: the default lists, empty
  }
  return lists;
}

/** What the store's actions are now. */
export interface SideInputs {
  /** Changes whenever an action is added or released. */
  readonly key: string;
  /** The furthest journal position any action takes effect at (0: none). */
  readonly maxSeq: number;
}

/** Reads the store's actions through `db` (a read-only connection will do; missing tables read as none). */
export class SideInputReader {
  private accounts: SqliteAccountStore | null = null;
  private merchants: SqliteMerchantStore | null = null;

  constructor(private readonly db: Database) {}

  /** The actions' key and furthest position now. */
  read(): SideInputs {
    let key = '';
    let maxSeq = 0;
    try {
      this.accounts ??= new SqliteAccountStore(this.db);
      const a = this.accounts.allActions();
      for (const x of a) maxSeq = Math.max(maxSeq, x.journalSeq);
      key += `a${a.length}:${a.length > 0 ? a[a.length - 1].id : 0}`;
    } catch {
      key += 'a0:0'; // no account action table yet: none
    }
    try {
      this.merchants ??= new SqliteMerchantStore(this.db);
      const m = this.merchants.everything();
      let released = 0;
      let maxId = 0;
      for (const r of m) {
        maxSeq = Math.max(maxSeq, r.fromSeq, r.toSeq ?? 0);
        if (r.releasedAt !== null) released++;
        maxId = Math.max(maxId, r.id);
      }
      key += `|m${m.length}:${maxId}:${released}`;
    } catch {
      key += '|m0:0:0'; // no merchant action table yet: none
    }
    return { key, maxSeq };
  }
}
