/**
 * The merchant action port: settlement holds and terminal suspensions, kept with who took them,
 * why, and the journal positions they took effect and ended at, so a replay applies each exactly
 * where live did. Records are never deleted: a release or an expiry closes one, and the history of
 * who held what, when and why stays. MerchantActions (actions.ts) checks and audits; the store only
 * keeps and reads. Adapters: SqliteMerchantStore, on the data folder's SQLite file.
 */
import type { Result, ResultKind } from '../io/result-kind.js';

/** One stored action: a hold of a merchant's settlement, or a suspension of one of its terminals. */
export interface MerchantAction {
  /** 1, 2, 3, … in the order they were taken. */
  readonly id: number;
  readonly merchantId: string;
  readonly action: 'hold_settlement' | 'suspend_terminal';
  /** The suspended terminal; null for a hold. */
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

/** What taking an action stores; id and the release fields are the store's. */
export type NewMerchantAction = Omit<MerchantAction, 'id' | 'releasedAt' | 'releasedBy' | 'releaseReason' | 'toSeq'>;

/**
 * Durable merchant actions, generic over the adapter's kind (see io/result-kind.ts). At most one open
 * (unreleased) hold per merchant and one open suspension per terminal: a second is refused by the
 * store itself. MerchantActions takes the sync form for its changes and the checks the engine's
 * side asks between events; the action history route reads through either kind.
 */
export interface MerchantActionStore<K extends ResultKind = ResultKind> {
  /**
   * Runs `fn` as one durable transaction (with the paired audit log's writes); a throw (or a rejection)
   * rolls all of it back. For the sync kind `fn` returns a value, never a promise: an SQLite
   * transaction cannot span an await.
   */
  transaction<T>(fn: () => Result<K, T>): Result<K, T>;
  /** Stores a new, open action and returns it; a second open hold of a merchant (suspension of a terminal) throws. */
  insert(a: NewMerchantAction): Result<K, MerchantAction>;
  /** Closes an open action (released, or expired) at journal position `toSeq`; returns it as closed. */
  closeAction(id: number, at: number, by: string, reason: string, toSeq: number): Result<K, MerchantAction>;
  /** One action, if it exists. */
  get(id: number): Result<K, MerchantAction | undefined>;
  /** The open (not released) hold of a merchant, expired or not. */
  openHoldOf(merchantId: string): Result<K, MerchantAction | undefined>;
  /** The open (not released) suspension of a terminal, expired or not. */
  openSuspensionOf(terminalId: string): Result<K, MerchantAction | undefined>;
  /** A merchant's actions, newest first, at most `limit` (default 100). */
  history(merchantId: string, limit?: number): Result<K, MerchantAction[]>;
  /** Every action ever taken, oldest first (replayed into the engine at start). */
  everything(): Result<K, MerchantAction[]>;
}
