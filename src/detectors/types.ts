/**
 * What the asynchronous consumers of the journal see and produce. The feed (feed.ts) hands each
 * journaled event to every consumer once, in seq order, after it was answered; consumers update
 * their own state and ask for cases to be opened by pushing requests, which the feed writes in one
 * transaction per batch together with its checkpoint.
 */
import type { FkEvent } from '../contract/events.js';
import type { OpenCaseRequest } from '../cases/types.js';

/** The decision of a journaled payment, as far as consumers need it. */
export interface FeedDecision {
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { readonly code: string }[];
}

/** One journaled event. */
export interface FeedEntry {
  readonly seq: number;
  readonly event: FkEvent;
  /** The decision of a transaction; null for other events. */
  readonly decision: FeedDecision | null;
  /**
   * False while the feed rebuilds its consumers' memory from journal entries it processed before a
   * restart: consumers update their state but must not open cases for them again.
   */
  readonly act: boolean;
}

/** A consumer of the feed. */
export interface FeedConsumer {
  /** A name for logs and status. */
  readonly name: string;
  /** Takes one entry into account; pushes the cases it opens (only when `entry.act`). */
  consume(entry: FeedEntry, open: OpenCaseRequest[]): void;
}

/**
 * A detector's finding as it is reported beside its case (only for entries the feed acts on): the
 * detector, its subject, and the journal entry and event time of the payment that completed it.
 * Automatic actions on findings hang on this (automation/detector-actions.ts).
 */
export interface Finding {
  /** The detector's name without the `detector:` prefix (cashout_ring, code_jumping, …). */
  readonly detector: string;
  readonly subjectKind: 'merchant' | 'terminal';
  readonly subjectId: string;
  readonly seq: number;
  readonly t: number;
  readonly txId: string;
  /** The case note's one line: what was seen. */
  readonly summary: string;
}

/** Told of each finding; must not throw (a failure is the listener's to report). */
export type FindingListener = (f: Finding) => void;
