/**
 * Merchant actions (settlement holds, terminal suspensions) on the data folder's SQLite file, on the
 * store's own connection so an action and its audit record commit together. Rows are never deleted:
 * a release or an expiry closes the row, so the history of who held what, when and why stays.
 * At most one open hold per merchant and one open suspension per terminal (partial unique indexes).
 */
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from '../../errors.js';

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

/** A stored action row. */
export interface ActionRow {
  readonly id: number;
  readonly merchantId: string;
  readonly action: 'hold_settlement' | 'suspend_terminal';
  readonly terminalId: string | null;
  readonly reason: string;
  readonly actor: string;
  /** Wall-clock epoch ms. */
  readonly createdAt: number;
  /** Journal seq of the last event applied before it took effect (it counts from the next one). */
  readonly fromSeq: number;
  /** Epoch ms from which it reads as lifted; null: never. */
  readonly expiresAt: number | null;
  readonly releasedAt: number | null;
  readonly releasedBy: string | null;
  readonly releaseReason: string | null;
  /** Journal seq of the last event applied before it was released. */
  readonly toSeq: number | null;
}

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

function toAction(r: Row): ActionRow {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    action: r.action as ActionRow['action'],
    terminalId: r.terminal_id,
    reason: r.reason,
    actor: r.actor,
    createdAt: r.created_at,
    fromSeq: r.from_seq,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    releaseReason: r.release_reason,
    toSeq: r.to_seq,
  };
}

const COLUMNS = 'id, merchant_id, action, terminal_id, reason, actor, created_at, from_seq, expires_at, released_at, released_by, release_reason, to_seq';

/** The merchant-action table on an open connection. */
export class SqliteMerchantStore {
  private readonly insertRow: Statement<[string, string, string | null, string, string, number, number, number | null]>;
  private readonly closeRow: Statement<[number, string, string, number | null, number]>;
  private readonly byId: Statement<[number], Row>;
  private readonly openHold: Statement<[string], Row>;
  private readonly openSuspension: Statement<[string], Row>;
  private readonly ofMerchant: Statement<[string, number], Row>;
  private readonly all: Statement<[], Row>;

  /** Creates the table (IF NOT EXISTS) on a writable connection; a read-only one can only read. */
  constructor(private readonly db: Database) {
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

  /** Stores a new action; returns it. */
  insert(a: Omit<ActionRow, 'id' | 'releasedAt' | 'releasedBy' | 'releaseReason' | 'toSeq'>): ActionRow {
    const r = this.insertRow.run(a.merchantId, a.action, a.terminalId, a.reason, a.actor, a.createdAt, a.fromSeq, a.expiresAt);
    return this.get(Number(r.lastInsertRowid))!;
  }

  /** Closes an open action (released, or expired); returns it as closed. */
  close(id: number, at: number, by: string, reason: string, toSeq: number): ActionRow {
    this.closeRow.run(at, by, reason, toSeq, id);
    return this.get(id)!;
  }

  get(id: number): ActionRow | undefined {
    const r = this.byId.get(id);
    return r === undefined ? undefined : toAction(r);
  }

  /** The open (not released) hold of a merchant. */
  openHoldOf(merchantId: string): ActionRow | undefined {
    const r = this.openHold.get(merchantId);
    return r === undefined ? undefined : toAction(r);
  }

  /** The open (not released) suspension of a terminal. */
  openSuspensionOf(terminalId: string): ActionRow | undefined {
    const r = this.openSuspension.get(terminalId);
    return r === undefined ? undefined : toAction(r);
  }

  /** A merchant's actions, newest first. */
  history(merchantId: string, limit = 100): ActionRow[] {
    return this.ofMerchant.all(merchantId, limit).map(toAction);
  }

  /** Every action ever taken, oldest first (loaded into the engine at start). */
  everything(): ActionRow[] {
    return this.all.all().map(toAction);
  }
}
