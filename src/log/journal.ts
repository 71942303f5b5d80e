/**
 * The journal port: the durable log of every accepted event (transactions with the decision they
 * were answered with). The engine's state is a pure function of the journal, so the journal is the
 * only thing that must survive a crash. Adapters live in sibling folders of src/store (sqlite/ now,
 * postgres/ later) and all pass the journal's shared contract suite under test/store.
 */
import type { EventType } from '../contract/events.js';

/**
 * What a journal entry holds: an event of the contract, or — in a cluster's journal only — a change
 * placed at its position so every node applies it between the same two events (docs/scale-out.md):
 * `control`, how to decide (a policy publication, an incident mode), or `input`, an engine input (an
 * account's restrictions after an action). The embedded journal holds neither; readers that only
 * know events refuse them (replayEntry) or skip them.
 */
export type JournalEntryType = EventType | 'control' | 'input';

/** One accepted event, in the order the engine applied it. */
export interface JournalEntry {
  /** 1, 2, 3, … without gaps: the order of application, and the order of replay. */
  readonly seq: number;
  readonly type: JournalEntryType;
  /** The transaction id (the idempotency key); null for other event types. */
  readonly txId: string | null;
  /** The validated event as JSON text, as the contract parser returned it. */
  readonly event: string;
  /** For a transaction: the decision exactly as it was answered (JSON text); null otherwise. */
  readonly decision: string | null;
  /** Wall-clock epoch ms when the server accepted it (event time is inside `event`). */
  readonly receivedAt: number;
  /**
   * A cluster of several partitions only (docs/scale-out.md, "What is shared across partitions"):
   * where in the cluster's stream the owner stood when it applied the entry, and a payment's shared
   * effects (engine/shared-effects.ts `partitionMetaText`). Absent everywhere else.
   */
  readonly meta?: string | null;
}

/** The entries a range read returns: a seq interval, optionally of one event type only. */
export interface JournalRange {
  /** First seq, inclusive (default 1). */
  readonly fromSeq?: number;
  /** Last seq, inclusive (default: no bound). */
  readonly toSeq?: number;
  /** Only entries of this type (default: every type). */
  readonly type?: EventType;
  /** Every type but this one (a backtest's prelude reads all but payments). */
  readonly exceptType?: EventType;
  /**
   * The caller reads the range to its end (a replay, a backtest), so the adapter may read ahead on
   * another thread; leave it unset for a read that stops early or takes a few entries at a time.
   */
  readonly whole?: boolean;
}

/** A decision as answered, found by its transaction id. */
export interface StoredDecision {
  readonly seq: number;
  readonly txId: string;
  /** The payment as the contract parser returned it (JSON text): a retry must carry the same one. */
  readonly event: string;
  /** JSON text, byte for byte what the client was answered. */
  readonly decision: string;
}

/**
 * The synchronous journal (an embedded database answers in microseconds, so the hot path stays
 * free of promises). A networked adapter implements JournalWriter for the write side instead.
 */
export interface Journal {
  /** Appends a batch as ONE durable transaction: all of it is on disk when this returns, or none. */
  append(batch: readonly JournalEntry[]): void;
  /** The decision answered for `txId`, if it was ever committed. */
  decision(txId: string): StoredDecision | undefined;
  /** Highest committed seq, 0 when empty: the next entry gets lastSeq() + 1. */
  lastSeq(): number;
  /** Calls `cb` for every entry in seq order, streaming (recovery of engine state). */
  forEachEvent(cb: (entry: JournalEntry) => void): void;
  /**
   * Calls `cb` for the entries of `range` in seq order, streaming (backtests, label scans, one entry
   * by seq); the read stops as soon as `cb` returns false. Entries committed after the call began
   * may or may not be seen unless `range.toSeq` bounds the read.
   */
  forEachEventInRange(range: JournalRange, cb: (entry: JournalEntry) => boolean | void): void;
  /** Releases the database; further calls throw. */
  close(): void;
}

/**
 * The asynchronous write side the server's group commit talks to: it may run the journal in
 * another thread or over the network. `write` resolves once the batch is durable.
 */
export interface JournalWriter {
  /**
   * Makes the batch durable (atomically; it may share a transaction with batches written just
   * before or after it); rejects and stores nothing when it cannot. Writes complete in call order,
   * and once one fails every later one fails too.
   */
  write(batch: readonly JournalEntry[]): Promise<void>;
  /** Waits for writes in flight and releases the writer. */
  close(): Promise<void>;
}

/** A JournalWriter that appends on the calling thread: simplest, but the fsync blocks the event loop. */
export function inlineWriter(journal: Journal): JournalWriter {
  return {
    write(batch) {
      try {
        journal.append(batch);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: () => Promise.resolve(),
  };
}
