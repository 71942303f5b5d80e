/**
 * Merchant actions (settlement holds, terminal suspensions) on the data folder's SQLite file, on the
 * store's own connection so an action and its audit record commit together. Rows are never deleted:
 * a release or an expiry closes the row, so the history of who held what, when and why stays.
 * At most one open hold per merchant and one open suspension per terminal (partial unique indexes).
 */
import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { MerchantAction, MerchantActionStore, NewMerchantAction } from '../../merchants/store.js';
import { cryptOf, type Crypt } from './crypt.js';

const DDL = `
CREATE TABLE IF NOT EXISTS merchant_actions (
  id             INTEGER PRIMARY KEY,
  merchant_id    TEXT    NOT NULL,
  action         TEXT    NOT NULL CHECK (action IN ('hold_settlement', 'suspend_terminal')),
  terminal_id    TEXT,
  reason         TEXT    NOT NULL,
  actor          TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  from_seq       INTEGER NOT NULL,
  expires_at     INTEGER,
  released_at    INTEGER,
  released_by    TEXT,
  release_reason TEXT,
  to_seq         INTEGER,
  CHECK ((action = 'suspend_terminal') = (terminal_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS merchant_actions_open_hold ON merchant_actions (merchant_id)
  WHERE action = 'hold_settlement' AND released_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS merchant_actions_open_suspension ON merchant_actions (terminal_id)
  WHERE action = 'suspend_terminal' AND released_at IS NULL;
CREATE INDEX IF NOT EXISTS merchant_actions_merchant ON merchant_actions (merchant_id, id);
`;

interface Row {
  id: number;
  merchant_id: string;
  action: string;
  terminal_id: string | null;
  reason: string;
  actor: string;
  created_at: number;
  from_seq: number;
  expires_at: number | null;
  released_at: number | null;
  released_by: string | null;
  release_reason: string | null;
  to_seq: number | null;
}

function toAction(r: Row, c: Crypt): MerchantAction {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    action: r.action as MerchantAction['action'],
    terminalId: r.terminal_id,
    reason: c.openText(r.reason),
    actor: r.actor,
    createdAt: r.created_at,
    fromSeq: r.from_seq,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    releaseReason: c.openOpt(r.release_reason),
    toSeq: r.to_seq,
  };
}

const COLUMNS = 'id, merchant_id, action, terminal_id, reason, actor, created_at, from_seq, expires_at, released_at, released_by, release_reason, to_seq';

/** MerchantActionStore on an open connection (the store's own, shared with its audit log). */
export class SqliteMerchantStore implements MerchantActionStore<'sync'> {
  private readonly insertRow: Statement<[string, string, string | null, string, string, number, number, number | null]>;
  private readonly closeRow: Statement<[number, string, string, number | null, number]>;
  private readonly byId: Statement<[number], Row>;
  private readonly openHold: Statement<[string], Row>;
  private readonly openSuspension: Statement<[string], Row>;
  private readonly ofMerchant: Statement<[string, number], Row>;
  private readonly all: Statement<[], Row>;

  /** Creates the table (IF NOT EXISTS) on a writable connection; a read-only one can only read. */
  private readonly crypt: Crypt;
  constructor(private readonly db: Database) {
    this.crypt = cryptOf(db);
    try {
      if (!db.readonly) db.exec(DDL);
    } catch (e) {
      throw new StoreError(`cannot create the merchant action table: ${(e as Error).message}`, { cause: e });
    }
    this.insertRow = db.prepare(
      'INSERT INTO merchant_actions (merchant_id, action, terminal_id, reason, actor, created_at, from_seq, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.closeRow = db.prepare('UPDATE merchant_actions SET released_at = ?, released_by = ?, release_reason = ?, to_seq = ? WHERE id = ? AND released_at IS NULL');
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM merchant_actions WHERE id = ?`);
    this.openHold = db.prepare(`SELECT ${COLUMNS} FROM merchant_actions WHERE merchant_id = ? AND action = 'hold_settlement' AND released_at IS NULL`);
    this.openSuspension = db.prepare(`SELECT ${COLUMNS} FROM merchant_actions WHERE terminal_id = ? AND action = 'suspend_terminal' AND released_at IS NULL`);
    this.ofMerchant = db.prepare(`SELECT ${COLUMNS} FROM merchant_actions WHERE merchant_id = ? ORDER BY id DESC LIMIT ?`);
    this.all = db.prepare(`SELECT ${COLUMNS} FROM merchant_actions ORDER BY id`);
  }

  /** Runs `fn` in one IMMEDIATE transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Stores a new action; a second open hold (suspension) of the same merchant (terminal) is a ConflictError. */
  insert(a: NewMerchantAction): MerchantAction {
    let r;
    try {
      r = this.insertRow.run(a.merchantId, a.action, a.terminalId, this.crypt.sealText(a.reason), a.actor, a.createdAt, a.fromSeq, a.expiresAt);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const what = a.action === 'hold_settlement' ? `merchant ${a.merchantId} has a settlement hold` : `terminal ${a.terminalId} has a suspension`;
        throw new ConflictError(`${what} open already`, { cause: e });
      }
      throw new StoreError(`cannot store the merchant action: ${(e as Error).message}`, { cause: e });
    }
    return this.get(Number(r.lastInsertRowid))!;
  }

  /** Closes an open action (released, or expired); one closed already stays as it was. NotFoundError for an unknown id. */
  closeAction(id: number, at: number, by: string, reason: string, toSeq: number): MerchantAction {
    this.closeRow.run(at, by, this.crypt.sealText(reason), toSeq, id);
    const a = this.get(id);
    if (a === undefined) throw new NotFoundError(`no merchant action ${id}`);
    return a;
  }

  /** One action by id. */
  get(id: number): MerchantAction | undefined {
    const r = this.byId.get(id);
    return r === undefined ? undefined : toAction(r, this.crypt);
  }

  /** The open (not released) hold of a merchant. */
  openHoldOf(merchantId: string): MerchantAction | undefined {
    const r = this.openHold.get(merchantId);
    return r === undefined ? undefined : toAction(r, this.crypt);
  }

  /** The open (not released) suspension of a terminal. */
  openSuspensionOf(terminalId: string): MerchantAction | undefined {
    const r = this.openSuspension.get(terminalId);
    return r === undefined ? undefined : toAction(r, this.crypt);
  }

  /** A merchant's actions, newest first. */
  history(merchantId: string, limit = 100): MerchantAction[] {
    return this.ofMerchant.all(merchantId, limit).map((r) => toAction(r, this.crypt));
  }

  /** Every action ever taken, oldest first (loaded into the engine at start). */
  everything(): MerchantAction[] {
    return this.all.all().map((r) => toAction(r, this.crypt));
  }
}
