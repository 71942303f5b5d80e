/**
 * The case store port: cases with their items, notes and history, and the case feed's checkpoint.
 * The service (service.ts) decides what may change and audits it; the store only keeps and reads,
 * so an adapter stays a thin layer over its tables. Every write runs inside `transaction` or
 * `background`, together with the audit log the composition root pairs with the store (same
 * database), so a case change and its audit record commit together or not at all.
 * Adapters: SqliteCaseStore, on the data folder's SQLite file.
 */
import type { Result, ResultKind } from '../io/result-kind.js';
import type { CaseNote, CaseQuery, CaseRecord, CaseStatus, CaseSummary, OpenCaseRequest, PriorityBand, Resolution, SubjectKind } from './types.js';

/** What `openOrJoin` did, so the service can audit the change it made (and nothing when it made none). */
export interface OpenResult {
  readonly n: number;
  readonly created: boolean;
  /** False when an item with the same ref was already on the case (its risk and detail refreshed). */
  readonly itemAdded: boolean;
  readonly before: CaseSummary | null;
  readonly after: CaseSummary;
}

/** What `openGroup` did for one (subject, issue) of a batch: one audit entry per case, not per item. */
export interface GroupResult {
  readonly n: number;
  readonly created: boolean;
  /** Per request of the group: true when it added an item, false when it refreshed one already there. */
  readonly added: readonly boolean[];
  readonly addedCount: number;
  readonly before: CaseSummary | null;
  readonly after: CaseSummary;
}

/** Returned by `background` when another writer holds the lock: background work tries again later instead of waiting. */
export const BUSY: unique symbol = Symbol('busy');

/** The latest resolution of a (subject, issue): detectors stay quiet about what an analyst cleared. */
export interface LastResolution {
  readonly resolution: Resolution;
  readonly resolvedAt: number;
}

/** A page of the queue; `next` is the `after` of the following page (opaque to callers), null at the end. */
export interface CasePage {
  readonly cases: CaseSummary[];
  readonly next: string | null;
}

/**
 * Durable cases, generic over the adapter's kind (see io/result-kind.ts): the embedded database
 * answers in microseconds (`CaseStore<'sync'>`), a networked one later. Case numbers (`n`) are 1, 2,
 * 3, … in the order cases were opened. At most one unresolved case exists per (subject kind, subject
 * id, issue); an item's ref is unique within its case. The CaseService takes the sync form: the
 * journal feed opens cases from a synchronous consumer, and the detectors read cases between events.
 */
export interface CaseStore<K extends ResultKind = ResultKind> {
  /**
   * True when this store held no case data before it was opened (a new data folder, or one from
   * before cases): the case feed then starts at the journal's end instead of opening cases for
   * all of history.
   */
  readonly fresh: boolean;

  /**
   * Runs `fn` as one durable transaction (with the paired audit log's writes); a throw (or a rejection)
   * rolls all of it back. For the sync kind `fn` returns a value, never a promise: an SQLite
   * transaction cannot span an await.
   */
  transaction<T>(fn: () => Result<K, T>): Result<K, T>;
  /**
   * Runs `fn` as one transaction that neither waits for the write lock nor for the disk: BUSY, with
   * nothing written, when another writer holds the lock now. Its durability may lag the next
   * durable commit, so callers keep what they write re-derivable (the feed's checkpoint goes in
   * the same transaction). Keeps background work from ever blocking the event loop.
   */
  background<T>(fn: () => Result<K, T>): Result<K, T | typeof BUSY>;

  /** The case `n` without its items, or undefined. */
  summary(n: number): Result<K, CaseSummary | undefined>;
  /** The case `n` with up to `maxItems` of its items (in the order they joined), its notes and history. */
  get(n: number, maxItems?: number): Result<K, CaseRecord | undefined>;
  /**
   * Opens the case of (subject, issue), or joins the unresolved one; inside a transaction. A new
   * case is `open`, opened by the request's actor, its history starting with `open`. An item whose
   * ref is already on the case refreshes its risk (the higher) and detail instead of joining again.
   * Beyond `maxItems` items still count in amount and priority but are not stored.
   */
  openOrJoin(req: OpenCaseRequest, now: number, maxItems: number): Result<K, OpenResult>;
  /**
   * `openOrJoin` for every request of a batch about ONE (subject, issue), in order, with one result
   * for the group (refs earlier in the group count as on the case); inside a transaction.
   */
  openGroup(reqs: readonly OpenCaseRequest[], now: number, maxItems: number): Result<K, GroupResult>;
  /** Appends one change to the case's history (numbered from 1); inside a transaction. */
  history(n: number, at: number, actor: string, action: string, from: string | null, to: string | null): Result<K, void>;
  /** Sets (or with null clears) the assignee; inside a transaction. */
  assign(n: number, assignee: string | null, now: number): Result<K, void>;
  /** Appends a note (numbered from 1 per case) and touches the case's updatedAt; inside a transaction. */
  addNote(n: number, author: string, text: string, now: number): Result<K, CaseNote>;
  /** Moves the case to `status`; inside a transaction (the service checks it is unresolved). */
  setStatus(n: number, status: CaseStatus, now: number): Result<K, void>;
  /** Resolves the case, its labels pending until `labelsEmitted`; inside a transaction. */
  resolve(n: number, resolution: Resolution, typology: string | null, actor: string, now: number): Result<K, void>;
  /** Records that the case's labels are durable in the journal (`count` of them): no longer pending. */
  labelsEmitted(n: number, count: number): Result<K, void>;
  /** Resolved cases whose labels may not have reached the journal (a crash in between), oldest first. */
  pendingLabels(): Result<K, number[]>;
  /** The transaction ids on the case, each once, in the order they joined. */
  payments(n: number): Result<K, string[]>;
  /** The latest resolution of (subject, issue), if any case of it was resolved. */
  lastResolved(kind: SubjectKind, id: string, issue: string): Result<K, LastResolution | undefined>;
  /** The journal seq the case feed has processed up to (0 at first). */
  feedSeq(): Result<K, number>;
  /** Moves the case feed's checkpoint forward (never back); inside the transaction of what it processed. */
  setFeedSeq(seq: number): Result<K, void>;
  /** The queue: by priority (highest first), then age (oldest first), then number; see CaseQuery. */
  list(q: CaseQuery): Result<K, CasePage>;
  /** Open and investigating cases of one subject, highest priority first. */
  activeFor(kind: SubjectKind, id: string): Result<K, CaseSummary[]>;
  /**
   * How many cases are unresolved (open or investigating) in each priority band (PRIORITY_BANDS),
   * every band present, zeros included. The console's overview reads it every few seconds per open
   * console, so an adapter answers it with one counting query, never by reading the cases.
   */
  openByBand(): Result<K, Record<PriorityBand, number>>;
}
