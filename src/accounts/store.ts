/**
 * The account ports: account actions and appeals (append-only, each committed with its audit
 * record), the journaled payments the account views show, and the index of payments by account
 * that pages them. The service (service.ts) checks and folds; the stores only keep and read.
 * Adapters: SQLite (SqliteAccountStore, SqliteTxIndexReader/Writer) — actions and appeals in the data folder's file,
 * the index in a file of its own, filled by a worker thread (tx-index.ts).
 */
import type { AuditRecord } from '../audit/log.js';
import type { Result, ResultKind } from '../io/result-kind.js';
import type { AccountActionRecord, AppealRecord } from './types.js';

/** A payment of the journal as the account views read it (the journal's own text, parsed by the view). */
export interface JournalPayment {
  readonly seq: number;
  /** The validated transaction event, JSON text. */
  readonly event: string;
  /** The decision as answered, JSON text. */
  readonly decision: string | null;
}

/**
 * Durable account actions and appeals, beside the journal they read payments from, generic over the
 * adapter's kind (see io/result-kind.ts). Both histories are append-only: nothing here updates or
 * deletes a record. The account service's views read through either kind; its changes (`act`,
 * `appeal`) and the replay take the sync form: an action takes effect at the journal position the
 * engine has applied, in the same synchronous step as its commit.
 */
export interface AccountStore<K extends ResultKind = ResultKind> {
  /**
   * Stores an action (its id is the store's: 1, 2, 3, …) and, in the same transaction, the audit
   * record `audit` makes of the stored action, written through `append` (the audit log on the same
   * database). All or nothing: when `audit` or `append` throws (or rejects), the action is not
   * stored. `append` is of the store's kind: a networked adapter awaits it inside its transaction.
   */
  addAction(a: Omit<AccountActionRecord, 'id'>, audit: (stored: AccountActionRecord) => AuditRecord, append: (r: AuditRecord) => Result<K, void>): Result<K, AccountActionRecord>;
  /** Every action, in the order they took effect (journal position, then id): a replay applies them so. */
  allActions(): Result<K, AccountActionRecord[]>;
  /** The latest `limit` actions on an account, newest first. */
  actionsOf(accountId: string, limit: number): Result<K, AccountActionRecord[]>;
  /** The id the next appeal gets (the case it opens names it before it is stored; one writer only). */
  nextAppealId(): Result<K, number>;
  /** Stores an appeal (with the id from nextAppealId) and its audit record in one transaction; all or nothing. */
  addAppeal(a: AppealRecord, audit: (stored: AppealRecord) => AuditRecord, append: (r: AuditRecord) => Result<K, void>): Result<K, AppealRecord>;
  /** The latest `limit` appeals of an account, newest first. */
  appealsOf(accountId: string, limit: number): Result<K, AppealRecord[]>;
  /** The journaled payments with these seqs, in the order given; a seq that is no payment is skipped. */
  payments(seqs: readonly number[]): Result<K, JournalPayment[]>;
  /** The journaled payment with this transaction id, if any. */
  paymentByTxId(txId: string): Result<K, JournalPayment | undefined>;
}

/** Reads the payment index (main thread): derived data, complete up to indexedSeq(). */
export interface TxIndexReader {
  /** Seqs of the account's payments below `beforeSeq`, newest first, at most `limit`. */
  page(accountId: string, beforeSeq: number, limit: number): number[];
  /**
   * Seqs of the merchant code's payments below `beforeSeq`, newest first, at most `limit`: the
   * merchant page's payment places read these few journal rows instead of scanning the journal.
   */
  merchantPage(merchantId: string, beforeSeq: number, limit: number): number[];
  /** The journal seq up to which the index is complete (0 for an empty one). */
  indexedSeq(): number;
  close(): void;
}

/** Fills the payment index from the journal (its worker thread), a bounded chunk per step so readers never wait long. */
export interface TxIndexWriter {
  /**
   * Indexes the next chunk of journal entries; `indexed` is the seq indexed up to, `done` that
   * nothing is left right now. An index of another journal (the data folder's file was replaced)
   * starts over.
   */
  step(): { indexed: number; done: boolean };
  /**
   * Indexes payments the server has just committed, as it tells them (IndexedRows), without
   * opening the journal: reading and opening every sealed event again costs the worker ~45 µs a
   * payment, and measured, a thread doing that for 2,000 payments a second stalled the server's
   * event loop 30–110 ms once a second (docs/server.md, "Fourth pass"). Applied only when the rows
   * continue the index (`from` at most one past what is indexed); otherwise nothing changes and
   * `applied` is false — the caller catches up from the journal with step() instead.
   */
  record(rows: IndexedRows): { indexed: number; applied: boolean };
  close(): void;
}

/**
 * Committed journal entries `from`..`to` (every seq in between, payments or not) and, for each
 * payment among them, its seq, account and merchant code ('' when it names none): what the index
 * keeps, in parallel arrays so the message to the worker is cheap to copy.
 */
export interface IndexedRows {
  readonly from: number;
  readonly to: number;
  readonly seqs: readonly number[];
  readonly accounts: readonly string[];
  readonly merchants: readonly string[];
}

/** What the index worker imports by URL (an AdapterRef's module) to open its writer. */
export interface TxIndexAdapter {
  openTxIndexWriter(dataDir: string): TxIndexWriter;
}
