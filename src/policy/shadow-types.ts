/**
 * Shadow policies, the shapes: one compared decision (what live answered and what the shadowed
 * version would have), one shadow run, the port of the store keeping them (adapter:
 * SqliteShadowStore, its own SQLite file and connection), and what a shadow's worker opens.
 * Records are derived data — the journal holds every payment and live decision, so a lost batch
 * costs comparisons, never answers.
 */
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

/** Where shadow runs and their compared decisions are kept. Synchronous. */
export interface ShadowStore {
  /** A new run (not yet running); its id. */
  createRun(r: { version: number; policy: string; startedAt: number; startedBy: string; startSeq: number; resumedFrom?: number }): number;
  markRunning(run: number, at: number, policy: string): void;
  /** Runs `fn` as one transaction (one batch of records). */
  batch(fn: () => void): void;
  insert(run: number, version: number, r: ShadowRecord): void;
  /** Sets the label of a recorded payment; its row, or undefined when the run did not record it. */
  label(run: number, seq: number, fraud: boolean): LabelledRow | undefined;
  saveSummary(run: number, summary: ShadowTotals): void;
  stopRun(run: number, at: number, by: string, reason: string, summary: ShadowTotals | null): void;
  /** Runs left without a stop (the server ended without closing them): marks them stopped, to be resumed, and returns them as they were. */
  stopDangling(at: number, reason: string): ShadowRunInfo[];
  /** Marks a stopped run as one the next start resumes (a shutdown interrupted it), or clears that. */
  markResume(run: number, resume: boolean): void;
  /** The runs to resume at start: each version's latest run, when it is marked so. */
  toResume(): ShadowRunInfo[];
  run(run: number): ShadowRunInfo | undefined;
  /** The latest run of `version`. */
  latestRun(version: number): ShadowRunInfo | undefined;
  decisions(run: number, page: ShadowPage): ShadowRecord[];
  close(): void;
}

/** Upper bound of one page of decisions. */
export const SHADOW_MAX_PAGE = 500;

/**
 * What a shadow's worker opens in the data folder: the journal (read-only: the warm-up and gaps),
 * the shadow store (its own writer), and the lists (reloaded when their version moves, as live's).
 * The lists are the synchronous form: the worker's replay loop reads them between payments and must
 * not wait (a networked list store will need a different feed for shadows).
 */
export interface ShadowSource {
  readonly journal: Journal;
  readonly shadows: ShadowStore;
  readonly lists: Pick<ListStore<'sync'>, 'version' | 'loadInto'>;
  /** Releases all three. */
  close(): void;
}

/** What the shadow worker imports by URL (an AdapterRef's module) to open its source. */
export interface ShadowAdapter {
  openShadowSource(dataDir: string): ShadowSource;
}
