/**
 * Account actions and appeals on the data folder's SQLite file, and the index of payments by
 * account beside it.
 *
 * Actions and appeals live in the main file (`account_actions`, `account_appeals`, created IF NOT
 * EXISTS on first use, also in an existing folder); each one commits together with its audit record
 * in one IMMEDIATE transaction, or neither does. Both tables are append-only.
 *
 * The payment index (`account_tx`: account → journal seq) is derived data kept in its own file,
 * `account-index.db`, filled from the journal by a worker thread (src/accounts/tx-index.ts): the
 * journal's commits never wait for it, and the file can be deleted at any time (it is rebuilt).
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import type { AccountStore, IndexedRows, JournalPayment, TxIndexReader, TxIndexWriter } from '../../accounts/store.js';
import type { AccountActionKind, AccountActionRecord, AppealRecord } from '../../accounts/types.js';
import { FengkongError, StoreError } from '../../errors.js';
import type { AuditRecord } from '../../audit/log.js';
import { dbPath } from './sqlite-store.js';
import { attachCrypt, cryptOf, type Crypt } from './crypt.js';

/** Tables of the main file. */
export const ACCOUNTS_DDL = `
CREATE TABLE IF NOT EXISTS account_actions (
  id          INTEGER PRIMARY KEY,
  account_id  TEXT    NOT NULL,
  action      TEXT    NOT NULL CHECK (action IN ('freeze', 'unfreeze', 'lower_limit', 'restore_limit', 'require_step_up', 'lift_step_up', 'restore')),
  reason      TEXT    NOT NULL,
  author      TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  expires_at  INTEGER,
  limit_fen   INTEGER CHECK (limit_fen IS NULL OR limit_fen >= 0),
  journal_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS account_actions_account ON account_actions (account_id, id);
CREATE TRIGGER IF NOT EXISTS account_actions_no_update BEFORE UPDATE ON account_actions
BEGIN SELECT RAISE(ABORT, 'account actions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS account_actions_no_delete BEFORE DELETE ON account_actions
BEGIN SELECT RAISE(ABORT, 'account actions are append-only'); END;
CREATE TABLE IF NOT EXISTS account_appeals (
  id          INTEGER PRIMARY KEY,
  account_id  TEXT    NOT NULL,
  tx_id       TEXT,
  text        TEXT    NOT NULL,
  author      TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  case_id     TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS account_appeals_account ON account_appeals (account_id, id);
`;

interface ActionRow {
  id: number;
  account_id: string;
  action: string;
  reason: string;
  author: string;
  at: number;
  expires_at: number | null;
  limit_fen: number | null;
  journal_seq: number;
}

interface AppealRow {
  id: number;
  account_id: string;
  tx_id: string | null;
  text: string;
  author: string;
  at: number;
  case_id: string | null;
}

const ACTION_COLUMNS = 'id, account_id, action, reason, author, at, expires_at, limit_fen, journal_seq';
const APPEAL_COLUMNS = 'id, account_id, tx_id, text, author, at, case_id';

function toAction(r: ActionRow, c: Crypt): AccountActionRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    action: r.action as AccountActionKind,
    reason: c.openText(r.reason),
    author: r.author,
    at: r.at,
    expiresAt: r.expires_at,
    limit: r.limit_fen,
    journalSeq: r.journal_seq,
  };
}

function toAppeal(r: AppealRow, c: Crypt): AppealRecord {
  return { id: r.id, accountId: r.account_id, txId: r.tx_id, text: c.openText(r.text), author: r.author, at: r.at, caseId: r.case_id };
}

/** AccountStore on an open connection (the store's own, so they commit with its audit log). */
export class SqliteAccountStore implements AccountStore<'sync'> {
  private readonly crypt: Crypt;
  private readonly insertAction: Statement<[string, string, string, string, number, number | null, number | null, number]>;
  private readonly selectAction: Statement<[number], ActionRow>;
  private readonly selectAll: Statement<[], ActionRow>;
  private readonly selectRecent: Statement<[string, number], ActionRow>;
  private readonly insertAppeal: Statement<[number, string, string | null, string, string, number, string | null]>;
  private readonly selectNextAppeal: Statement<[], { id: number }>;
  private readonly selectAppeal: Statement<[number], AppealRow>;
  private readonly selectAppeals: Statement<[string, number], AppealRow>;
  private readonly selectPayment: Statement<[number], JournalPayment>;
  private readonly selectByTxId: Statement<[string], JournalPayment>;

  /** Creates the tables on a writable connection (IF NOT EXISTS). */
  constructor(private readonly db: Database) {
    this.crypt = cryptOf(db);
    try {
      if (!db.readonly) db.exec(ACCOUNTS_DDL);
      this.insertAction = db.prepare(
        'INSERT INTO account_actions (account_id, action, reason, author, at, expires_at, limit_fen, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.selectAction = db.prepare(`SELECT ${ACTION_COLUMNS} FROM account_actions WHERE id = ?`);
      this.selectAll = db.prepare(`SELECT ${ACTION_COLUMNS} FROM account_actions ORDER BY journal_seq, id`);
      this.selectRecent = db.prepare(`SELECT ${ACTION_COLUMNS} FROM account_actions WHERE account_id = ? ORDER BY id DESC LIMIT ?`);
      this.insertAppeal = db.prepare('INSERT INTO account_appeals (id, account_id, tx_id, text, author, at, case_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
      this.selectNextAppeal = db.prepare('SELECT coalesce(max(id), 0) + 1 AS id FROM account_appeals');
      this.selectAppeal = db.prepare(`SELECT ${APPEAL_COLUMNS} FROM account_appeals WHERE id = ?`);
      this.selectAppeals = db.prepare(`SELECT ${APPEAL_COLUMNS} FROM account_appeals WHERE account_id = ? ORDER BY id DESC LIMIT ?`);
      this.selectPayment = db.prepare("SELECT seq, event, decision FROM journal WHERE seq = ? AND type = 'transaction'");
      this.selectByTxId = db.prepare('SELECT seq, event, decision FROM journal WHERE tx_id = ?');
    } catch (e) {
      throw new StoreError(`cannot open the account tables: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Stores an action and, in the same transaction, the audit record `audit` makes of it (written
   * through `append`, which must use this same connection). All or nothing.
   */
  addAction(a: Omit<AccountActionRecord, 'id'>, audit: (stored: AccountActionRecord) => AuditRecord, append: (r: AuditRecord) => void): AccountActionRecord {
    return this.write(() => {
      const r = this.insertAction.run(a.accountId, a.action, this.crypt.sealText(a.reason), a.author, a.at, a.expiresAt, a.limit, a.journalSeq);
      const stored = toAction(this.selectAction.get(Number(r.lastInsertRowid)) as ActionRow, this.crypt);
      append(audit(stored));
      return stored;
    });
  }

  /** Every action, in the order they took effect (journal position, then id). */
  allActions(): AccountActionRecord[] {
    return this.read(() => this.selectAll.all().map((r) => toAction(r, this.crypt)));
  }

  /** The latest actions on an account, newest first. */
  actionsOf(accountId: string, limit: number): AccountActionRecord[] {
    return this.read(() => this.selectRecent.all(accountId, limit).map((r) => toAction(r, this.crypt)));
  }

  /** The id the next appeal gets (appeals are written by one server only: see AccountService.appeal). */
  nextAppealId(): number {
    return this.read(() => this.selectNextAppeal.get()?.id ?? 1);
  }

  /** Stores an appeal (with the id from nextAppealId) and its audit record in one transaction. */
  addAppeal(a: AppealRecord, audit: (stored: AppealRecord) => AuditRecord, append: (r: AuditRecord) => void): AppealRecord {
    return this.write(() => {
      this.insertAppeal.run(a.id, a.accountId, a.txId, this.crypt.sealText(a.text), a.author, a.at, a.caseId);
      const stored = toAppeal(this.selectAppeal.get(a.id) as AppealRow, this.crypt);
      append(audit(stored));
      return stored;
    });
  }

  /** The latest appeals of an account, newest first. */
  appealsOf(accountId: string, limit: number): AppealRecord[] {
    return this.read(() => this.selectAppeals.all(accountId, limit).map((r) => toAppeal(r, this.crypt)));
  }

  /** The journaled payments with these seqs, in the order given (a seq that is no payment is skipped). */
  payments(seqs: readonly number[]): JournalPayment[] {
    return this.read(() => {
      const out: JournalPayment[] = [];
      for (const s of seqs) {
        const p = this.selectPayment.get(s);
        if (p !== undefined) out.push({ ...p, event: this.crypt.openText(p.event) });
      }
      return out;
    });
  }

  /** The journaled payment with this transaction id, if any. */
  paymentByTxId(txId: string): JournalPayment | undefined {
    return this.read(() => {
      const p = this.selectByTxId.get(txId);
      return p === undefined ? undefined : { ...p, event: this.crypt.openText(p.event) };
    });
  }

  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      if (e instanceof FengkongError) throw e;
      throw new StoreError(`account change failed: ${(e as Error).message}`, { cause: e });
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FengkongError) throw e;
      throw new StoreError(`cannot read account data: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The index file inside a data folder. */
export const TX_INDEX_FILE = 'account-index.db';

const TX_INDEX_DDL = `
CREATE TABLE IF NOT EXISTS account_tx (
  account_id TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (account_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merchant_tx (
  merchant_id TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (merchant_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_tx_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_seq INTEGER NOT NULL,
  origin      TEXT    NOT NULL
) STRICT;
INSERT OR IGNORE INTO account_tx_state (id, indexed_seq, origin) VALUES (1, 0, '');
`;

/**
 * The index file's layout version (PRAGMA user_version). 1 added merchant_tx: an older file is
 * emptied and indexed again from the journal, so both tables cover the same seqs.
 */
const TX_INDEX_VERSION = 1;

/** How many journal entries one indexing transaction covers: short, so readers never wait long. */
const CHUNK_SEQS = 2_000;

/** Opens (creating) the index file of a data folder. Derived data: durability NORMAL is enough. */
export function openTxIndex(dataDir: string): Database {
  const file = join(dataDir, TX_INDEX_FILE);
  try {
    const db = new BetterSqlite3(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(TX_INDEX_DDL);
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= TX_INDEX_VERSION) return;
      db.exec("DELETE FROM account_tx; DELETE FROM merchant_tx; UPDATE account_tx_state SET indexed_seq = 0, origin = '' WHERE id = 1;");
      db.pragma(`user_version = ${TX_INDEX_VERSION}`);
    }).immediate();
    return db;
  } catch (e) {
    throw new StoreError(`cannot open ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** TxIndexReader on the index file (the main thread's side). */
export class SqliteTxIndexReader implements TxIndexReader {
  private readonly selectPage: Statement<[string, number, number], { seq: number }>;
  private readonly selectMerchantPage: Statement<[string, number, number], { seq: number }>;
  private readonly selectState: Statement<[], { indexed_seq: number }>;

  constructor(private readonly db: Database) {
    this.selectPage = db.prepare('SELECT seq FROM account_tx WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
    this.selectMerchantPage = db.prepare('SELECT seq FROM merchant_tx WHERE merchant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
    this.selectState = db.prepare('SELECT indexed_seq FROM account_tx_state WHERE id = 1');
  }

  /** Seqs of the account's payments below `beforeSeq`, newest first, at most `limit`. */
  page(accountId: string, beforeSeq: number, limit: number): number[] {
    return this.selectPage.all(accountId, beforeSeq, limit).map((r) => r.seq);
  }

  /** Seqs of the merchant code's payments below `beforeSeq`, newest first, at most `limit`. */
  merchantPage(merchantId: string, beforeSeq: number, limit: number): number[] {
    return this.selectMerchantPage.all(merchantId, beforeSeq, limit).map((r) => r.seq);
  }

  /** The journal seq up to which the index is complete. */
  indexedSeq(): number {
    return this.selectState.get()?.indexed_seq ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * TxIndexWriter from the data folder's journal (the worker thread's side): `step()` indexes at most
 * one chunk of journal seqs in one transaction and returns the seq indexed up to.
 */
export class SqliteTxIndexWriter implements TxIndexWriter {
  private readonly journal: Database;
  private readonly maxSeq: Statement<[], { seq: number | null }>;
  private readonly origin: Statement<[], { origin: string }>;
  private readonly rows: Statement<[number, number], [number, string]>;
  private readonly crypt: Crypt;
  private readonly insert: Statement<[string, number]>;
  private readonly insertMerchant: Statement<[string, number]>;
  private readonly state: Statement<[], { indexed_seq: number; origin: string }>;
  private readonly setState: Statement<[number, string]>;
  private readonly clear: { run(): void };

  constructor(
    dataDir: string,
    private readonly index: Database,
  ) {
    try {
      this.journal = new BetterSqlite3(dbPath(dataDir), { readonly: true, fileMustExist: true, timeout: 5000 });
      this.crypt = attachCrypt(dataDir, this.journal, true);
    } catch (e) {
      if (e instanceof FengkongError) throw e;
      throw new StoreError(`cannot read the journal of ${dataDir}: ${(e as Error).message}`, { cause: e });
    }
    this.maxSeq = this.journal.prepare('SELECT max(seq) AS seq FROM journal');
    this.origin = this.journal.prepare("SELECT coalesce((SELECT type || ':' || received_at FROM journal WHERE seq = 1), '') AS origin");
    this.rows = this.journal.prepare(
      // events are sealed at rest: opened and parsed here, in the indexing worker, not by SQL
      "SELECT seq, event FROM journal WHERE seq > ? AND seq <= ? AND type = 'transaction'",
    );
    this.rows.raw(true);
    this.insert = index.prepare('INSERT OR IGNORE INTO account_tx (account_id, seq) VALUES (?, ?)');
    this.insertMerchant = index.prepare('INSERT OR IGNORE INTO merchant_tx (merchant_id, seq) VALUES (?, ?)');
    this.state = index.prepare('SELECT indexed_seq, origin FROM account_tx_state WHERE id = 1');
    this.setState = index.prepare('UPDATE account_tx_state SET indexed_seq = ?, origin = ? WHERE id = 1');
    const clearAccounts = index.prepare('DELETE FROM account_tx');
    const clearMerchants = index.prepare('DELETE FROM merchant_tx');
    this.clear = { run: () => { clearAccounts.run(); clearMerchants.run(); } };
  }

  /** Indexes the next chunk; returns `{indexed, done}` (done: nothing left to index right now). */
  step(): { indexed: number; done: boolean } {
    const origin = this.origin.get()?.origin ?? '';
    const last = this.maxSeq.get()?.seq ?? 0;
    const st = this.state.get() ?? { indexed_seq: 0, origin: '' };
    let from = st.indexed_seq;
    // an index of another journal (the data folder's file was replaced): start over
    if ((st.origin !== '' && st.origin !== origin) || from > last) {
      this.index.transaction(() => {
        this.clear.run();
        this.setState.run(0, origin);
      })();
      from = 0;
    }
    if (from >= last) return { indexed: from, done: true };
    const to = Math.min(last, from + CHUNK_SEQS);
    const rows = this.rows.all(from, to);
    this.index.transaction(() => {
      for (const [seq, stored] of rows) {
        const e = JSON.parse(this.crypt.openText(stored)) as { accountId?: unknown; merchantId?: unknown };
        const account = e.accountId;
        const merchant = e.merchantId;
        if (typeof account === 'string') this.insert.run(account, seq);
        if (typeof merchant === 'string') this.insertMerchant.run(merchant, seq);
      }
      this.setState.run(to, origin);
    })();
    return { indexed: to, done: to >= last };
  }

  record(rows: IndexedRows): { indexed: number; applied: boolean } {
    return this.index.transaction(() => {
      const st = this.state.get() ?? { indexed_seq: 0, origin: '' };
      const indexed = st.indexed_seq;
      if (rows.to <= indexed) return { indexed, applied: true };
      if (rows.from > indexed + 1) return { indexed, applied: false };
      for (let i = 0; i < rows.seqs.length; i++) {
        const seq = rows.seqs[i];
        if (seq <= indexed) continue;
        this.insert.run(rows.accounts[i], seq);
        if (rows.merchants[i] !== '') this.insertMerchant.run(rows.merchants[i], seq);
      }
      this.setState.run(rows.to, st.origin);
      return { indexed: rows.to, applied: true };
    })();
  }

  close(): void {
    if (this.journal.open) this.journal.close();
    if (this.index.open) this.index.close();
  }
}

/** The payment index reader of a data folder, on its own connection (creating the file). */
export function openTxIndexReader(dataDir: string): SqliteTxIndexReader {
  return new SqliteTxIndexReader(openTxIndex(dataDir));
}

/** The payment index writer of a data folder: a read-only connection to the journal and one to the index. */
export function openTxIndexWriter(dataDir: string): SqliteTxIndexWriter {
  const index = openTxIndex(dataDir);
  try {
    return new SqliteTxIndexWriter(dataDir, index);
  } catch (e) {
    index.close();
    throw e;
  }
}
