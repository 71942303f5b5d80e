/**
 * The audit port: an append-only record of every change to policies, lists, keys, modes and
 * accounts — who (a key id or the local operator), when, what, and the state before and after.
 * Risk teams and their auditors read it to answer "who changed this, and what was it before?";
 * nothing in Fengkong ever edits or deletes an entry (the SQLite adapter refuses it in the file).
 * Each entry also carries a hash chain (src/audit/chain.ts): an edit, deletion, insertion or
 * reordering made behind Fengkong's back — triggers dropped, file rewritten — breaks it, and
 * `fengkong audit verify` names the first entry that no longer matches.
 */
import { StoreError } from '../errors.js';
import type { Result, ResultKind } from '../io/result-kind.js';

/** One recorded change. `before`/`after` are JSON-serialisable snapshots (null when absent). */
export interface AuditEntry {
  /** 1, 2, 3, … in the order the changes happened. */
  readonly seq: number;
  /** Wall-clock epoch ms. */
  readonly at: number;
  /** Who: `key_…` for an API key (see keyIdOf), `cli:<user>` for the local operator. */
  readonly actor: string;
  /** What kind of change, dotted: `list.entry.add`, `policy.publish`, `key.create`, `mode.on`, … */
  readonly action: string;
  /** What it changed: `lists/block_devices/dev-1`, `policies/7`, … */
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The previous entry's `hash` (GENESIS_HASH for the first): links the entry to all before it. */
  readonly prevHash: string;
  /** sha256 hex of the entry's fields and `prevHash` (entryHash in chain.ts). */
  readonly hash: string;
}

/**
 * The newest entry's position and hash: pinned by an outside system, it proves later that nothing
 * up to it was rewritten (everything before it is folded into the hash). `{seq: 0, hash: GENESIS_HASH}`
 * for an empty log.
 */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** What a caller records; seq and time are the log's. */
export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Filters of a read; every field narrows, all are optional. Newest first. */
export interface AuditQuery {
  readonly actor?: string;
  /** An exact action, or a prefix ending in `.` (`list.` for every list change). */
  readonly action?: string;
  /** An exact target, or a prefix ending in `/`. */
  readonly target?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  /** Only entries with seq below this (paging backwards: pass the last seq of the previous page). */
  readonly before?: number;
  /**
   * Only entries with seq above this, and then oldest first: a reader tailing the log (the webhook
   * outbox) passes the last seq it has taken.
   */
  readonly after?: number;
  /** At most this many (1–1000, default 100). */
  readonly limit?: number;
}

/**
 * The append-only audit log, generic over its adapter's kind (see io/result-kind.ts). A change and
 * its record commit together, so code that appends inside another store's SQLite transaction takes
 * `AuditLog<'sync'>`; readers (the audit routes, `fengkong audit verify`) take `AuditLog` and await.
 */
export interface AuditLog<K extends ResultKind = ResultKind> {
  /** Records one change durably and returns it as stored. */
  append(record: AuditRecord): Result<K, AuditEntry>;
  /** Entries matching `q`, newest first. */
  list(q?: AuditQuery): Result<K, AuditEntry[]>;
  /** The newest entry's seq and hash (a cheap read: metrics and `GET /v1/audit/head` poll it). */
  head(): Result<K, AuditHead>;
  /**
   * Every entry oldest first, as stored (no check made), for verifying the chain without holding
   * the log in memory. `cb` returning false stops the walk. An entry the store cannot read back
   * (a snapshot that is no longer JSON) is a StoreError naming its seq.
   */
  forEachEntry(cb: (entry: AuditEntry) => boolean | void): Result<K, void>;
}

/** Upper bound of one page. */
export const AUDIT_MAX_PAGE = 1000;

/**
 * A stored `before`/`after` column back as the value it recorded (null stays null). Shared by the
 * adapters so a snapshot that is no longer JSON fails the same way everywhere: a StoreError naming
 * the entry, which `fengkong audit verify` turns into a broken link at that seq.
 */
export function storedSnapshot(seq: number | string, column: 'before' | 'after', text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new StoreError(`audit entry ${seq}: its ${column} is not JSON`, { cause: e });
  }
}
