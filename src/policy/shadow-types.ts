/**
 * Shadow policies, the shapes: one compared decision (what live answered and what the shadowed
 * version would have), one shadow run, the port of the store keeping them (adapters:
 * SqliteShadowStore, its own SQLite file and connection; PgShadowStore, a cluster's schema), and
 * what a shadow's worker opens.
 * Records are derived data — the journal holds every payment and live decision, so a lost batch
 * costs comparisons, never answers.
 */
import type { Result, ResultKind } from '../io/result-kind.js';
import type { ListStore } from '../lists/store.js';
import type { Outcome } from '../rules/policy-types.js';
import type { Journal } from '../log/journal.js';
import type { ShadowTotals } from './shadow-tally.js';

/** One side of a comparison. */
export interface SideDecision {
  readonly outcome: Outcome;
  readonly score: number;
  /** Reason codes, most decisive first. */
  readonly reasons: readonly string[];
}

/** A payment live decided and the shadow decided again, as recorded. */
export interface ShadowRecord {
  /** Journal seq of the payment. */
  readonly seq: number;
  readonly txId: string;
  /** The payment's event time, epoch ms. */
  readonly t: number;
  readonly amount: number;
  readonly live: SideDecision & { readonly policy: string };
  readonly shadow: SideDecision;
  /** The outcomes differ. */
  readonly changed: boolean;
  /** Its own label while the shadow ran: true fraud, false legitimate, null none. */
  readonly label: boolean | null;
}

/** Where a shadow stands: replaying history, comparing live traffic, or over. */
export type ShadowState = 'warming' | 'running' | 'stopped';

/** One run of shadowing a version (a version shadowed again gets a new run). */
export interface ShadowRunInfo {
  readonly run: number;
  readonly version: number;
  /** The policy the shadow decides as (`v7`, or `v7+incident:…` with the modes on). */
  readonly policy: string;
  readonly startedAt: number;
  readonly startedBy: string;
  /** Journal seq the warm-up replayed up to. */
  readonly startSeq: number;
  /** When comparisons began (the warm-up ended); null while warming or if it never did. */
  readonly runningSince: number | null;
  readonly stoppedAt: number | null;
  readonly stoppedBy: string | null;
  readonly stopReason: string | null;
  /** The totals as last saved (every few seconds while running, and at the stop). */
  readonly summary: ShadowTotals | null;
  /** The run a restart interrupted and this one resumed; null for a run started by request. */
  readonly resumedFrom: number | null;
}

/** A page of recorded decisions: newest first, below `before` (a seq), at most `limit`. */
export interface ShadowPage {
  readonly before?: number;
  readonly limit?: number;
  /** Only payments whose outcome differs. */
  readonly changed?: boolean;
}

/** What a label found: the recorded payment it names. */
export interface LabelledRow {
  readonly amount: number;
  readonly live: Outcome;
  readonly shadow: Outcome;
}

/**
 * Where shadow runs and their compared decisions are kept. Generic over its adapter's kind (see
 * io/result-kind.ts): the SQLite file answers at once (`ShadowStore<'sync'>`, what the shadow worker's
 * loop and the server's ShadowPolicies need), a cluster's PostgreSQL schema later
 * (`ShadowStore<'async'>`); code written against `ShadowStore` awaits every call.
 */
export interface ShadowStore<K extends ResultKind = ResultKind> {
  /** A new run (not yet running); its id: 1, 2, 3, … in the order runs were created, without gaps. */
  createRun(r: { version: number; policy: string; startedAt: number; startedBy: string; startSeq: number; resumedFrom?: number }): Result<K, number>;
  markRunning(run: number, at: number, policy: string): Result<K, void>;
  /**
   * Records `records` of `run` (shadowing `version`) and, when `summary` is not null, saves it as the
   * run's totals — all in one transaction: all of it is kept or none (a payment recorded twice in a
   * run fails the batch).
   *
   * Why the records are handed over rather than a callback inserting them one by one: the shadow
   * worker has them in an array already, so the SQLite adapter runs one prepared statement per record
   * inside one synchronous transaction (no closure, no copy, nothing awaited), and the PostgreSQL
   * adapter can write the batch as one multi-row INSERT in one transaction (a callback making one
   * awaited round trip per record would cost a network hop each, and an SQLite transaction cannot
   * span an await). A single record is a batch of one.
   */
  batch(run: number, version: number, records: readonly ShadowRecord[], summary: ShadowTotals | null): Result<K, void>;
  /** Sets the label of a recorded payment; its row, or undefined when the run did not record it. */
  label(run: number, seq: number, fraud: boolean): Result<K, LabelledRow | undefined>;
  saveSummary(run: number, summary: ShadowTotals): Result<K, void>;
  stopRun(run: number, at: number, by: string, reason: string, summary: ShadowTotals | null): Result<K, void>;
  /** Runs left without a stop (the server ended without closing them): marks them stopped, to be resumed, and returns them as they were. */
  stopDangling(at: number, reason: string): Result<K, ShadowRunInfo[]>;
  /** Marks a stopped run as one the next start resumes (a shutdown interrupted it), or clears that. */
  markResume(run: number, resume: boolean): Result<K, void>;
  /** The runs to resume at start: each version's latest run, when it is marked so. */
  toResume(): Result<K, ShadowRunInfo[]>;
  run(run: number): Result<K, ShadowRunInfo | undefined>;
  /** The latest run of `version`. */
  latestRun(version: number): Result<K, ShadowRunInfo | undefined>;
  decisions(run: number, page: ShadowPage): Result<K, ShadowRecord[]>;
  close(): Result<K, void>;
}

/** Upper bound of one page of decisions. */
export const SHADOW_MAX_PAGE = 500;

/**
 * What a shadow's worker opens in the data folder: the journal (read-only: the warm-up and gaps),
 * the shadow store (its own writer), and the lists (reloaded when their version moves, as live's).
 * The lists are the synchronous form: the worker's replay loop reads them between payments and must
 * not wait (a networked list store will need a different feed for shadows); so is the shadow store,
 * which the worker writes from the same loop.
 */
export interface ShadowSource {
  readonly journal: Journal;
  readonly shadows: ShadowStore<'sync'>;
  readonly lists: Pick<ListStore<'sync'>, 'version' | 'loadInto'>;
  /** Releases all three. */
  close(): void;
}

/** What the shadow worker imports by URL (an AdapterRef's module) to open its source. */
export interface ShadowAdapter {
  openShadowSource(dataDir: string): ShadowSource;
}
