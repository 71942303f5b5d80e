/**
 * Rebuilding the engine's state from the journal at start: every journaled event is validated
 * again and applied in seq order to a fresh engine, so feature state after a restart equals the
 * state before it and no later decision changes. Replayed decisions are compared with the ones
 * answered; a difference means the policy changed between runs, and is reported, not hidden.
 */
import { parseEvent } from '../contract/parse.js';
import type { Decision } from '../engine/decision.js';
import type { Engine, JournaledAction } from '../engine/engine.js';
import type { Outcome } from '../rules/policy-types.js';
import { ContractError, StoreError } from '../errors.js';
import type { Journal, JournalEntry } from './journal.js';

/** What recovery did, printed at start and exported as metrics. */
export interface RecoveryReport {
  /** Events applied (transactions included). */
  readonly events: number;
  readonly transactions: number;
  /** Transactions whose replayed outcome or score differs from the answered one (policy changed). */
  readonly changedDecisions: number;
  /** Highest seq in the journal. */
  readonly lastSeq: number;
  readonly ms: number;
  /**
   * The snapshot the engine started from (its seq: entries up to it were not replayed, see
   * log/restore.ts), or null for a replay of the whole journal.
   */
  readonly snapshot?: { readonly file: string; readonly seq: number; readonly ms: number } | null;
  /** Snapshots passed over at start (corrupt, made for other windows, …) and why. */
  readonly snapshotsSkipped?: readonly { readonly file: string; readonly reason: string }[];
}

/**
 * Applies the whole journal to `engine` (which must be fresh), calling `onTransaction` with every
 * transaction id; throws StoreError on a bad entry. With `fromSeq` > 0 the engine already holds
 * entries 1 … fromSeq (restored from a snapshot): `journal` is then a journalFrom(…, fromSeq) view,
 * entries up to fromSeq are passed over, and `events` and `transactions` count the ones after it.
 */
export function recover(
  journal: Journal,
  engine: Engine,
  onTransaction: (txId: string) => void = () => {},
  fromSeq = 0,
): RecoveryReport {
  const started = performance.now();
  let events = 0;
  let transactions = 0;
  let changed = 0;
  let lastSeq = fromSeq;
  journal.forEachEvent((entry) => {
    if (entry.seq <= fromSeq) return;
    const answered = answerOf(entry);
    const d = replayEntry(engine, entry, lastSeq, answered);
    lastSeq = entry.seq;
    events++;
    if (d !== null) {
      transactions++;
      onTransaction(d.txId);
      if (answered !== undefined && (answered.outcome !== d.outcome || answered.score !== d.score)) changed++;
    }
  });
  return { events, transactions, changedDecisions: changed, lastSeq, ms: performance.now() - started };
}

/**
 * `journal` as seen by a recovery that starts from a snapshot of seq `fromSeq`: its forEachEvent
 * begins AT entry fromSeq (already applied; recover passes over it), so a wrapper that applies
 * store-kept actions at journal positions (accounts/replay.ts, merchants/replay.ts) applies every
 * action up to fromSeq right after it — before the first entry replayed, where a full replay has
 * them. It reads up to the journal's last seq at the call, `slice` entries per statement, so no
 * read transaction is held for long beside a live writer (0: one statement). Everything else is
 * the journal's own. fromSeq 0 and slice 0: the journal itself.
 */
export function journalFrom<J extends Journal>(journal: J, fromSeq: number, slice = 0): J {
  if (fromSeq === 0 && slice === 0) return journal;
  const view = Object.create(journal) as J;
  view.forEachEvent = (cb) => {
    const end = journal.lastSeq();
    const step = slice > 0 ? slice : Number.MAX_SAFE_INTEGER;
    for (let from = Math.max(fromSeq, 1); from <= end; from += step) {
      journal.forEachEventInRange({ fromSeq: from, toSeq: Math.min(end, from + step - 1), whole: true }, cb);
    }
  };
  return view;
}

/**
 * Validates one journal entry again and applies it to `engine`; `lastSeq` is the seq applied before
 * it (a gap is a StoreError). A payment's state follows `answered` (by default the answer journaled
 * with it; null re-decides it, for a shadow's what-if). Shared by recovery, the checkpointer's
 * replica, shadows and warming a policy version's engine.
 */
export function replayEntry(
  engine: Engine,
  entry: JournalEntry,
  lastSeq: number,
  answered: AnsweredDecision | null | undefined = answerOf(entry),
): Decision | null {
  if (entry.type === 'control' || entry.type === 'input') {
    // a cluster's placement: the cluster's replica applies it (wiring/cluster/partition-replica.ts)
    throw new StoreError(`journal entry ${entry.seq} is a ${entry.type} entry of a cluster's journal; only a cluster node replays it`);
  }
  let ev;
  try {
    ev = parseEvent(JSON.parse(entry.event));
  } catch (e) {
    const why = e instanceof ContractError ? e.message : (e as Error).message;
    throw new StoreError(`journal entry ${entry.seq} cannot be replayed: ${why}`, { cause: e });
  }
  if (entry.seq !== lastSeq + 1) {
    throw new StoreError(`journal has a gap: seq ${entry.seq} follows ${lastSeq}`);
  }
  return engine.apply(ev, answered?.outcome, answered?.actions);
}

/** What a journaled payment was answered with: the part of the answer engine state depends on. */
export interface AnsweredDecision {
  readonly outcome: Outcome;
  readonly score: number;
  /** The rule actions it named (engine/rule-actions.ts), counted again against the caps. */
  readonly actions?: readonly JournaledAction[];
}

const OUTCOMES: readonly string[] = ['approve', 'challenge', 'review', 'decline'];

/**
 * The answer journaled with `entry` (undefined for other events, or an answer without a valid
 * outcome). Replay applies it instead of re-deciding (see Engine.decide): a restart reproduces the
 * state the answers made, whichever policy version or incident mode is live at the restart.
 */
export function answerOf(entry: JournalEntry): AnsweredDecision | undefined {
  if (entry.decision === null) return undefined;
  let s: { outcome?: unknown; score?: unknown; actions?: unknown };
  try {
    s = JSON.parse(entry.decision) as { outcome?: unknown; score?: unknown; actions?: unknown };
  } catch (e) {
    throw new StoreError(`journal entry ${entry.seq} has an unreadable decision: ${(e as Error).message}`, { cause: e });
  }
  if (typeof s.outcome !== 'string' || !OUTCOMES.includes(s.outcome)) return undefined;
  const answer = { outcome: s.outcome as Outcome, score: typeof s.score === 'number' ? s.score : NaN };
  return Array.isArray(s.actions) ? { ...answer, actions: journaledActions(s.actions) } : answer;
}

/** The journaled actions' rule names and caps (anything else in the array is no action and is skipped). */
function journaledActions(list: readonly unknown[]): JournaledAction[] {
  const out: JournaledAction[] = [];
  for (const a of list) {
    if (typeof a !== 'object' || a === null) continue;
    const { rule, capped } = a as { rule?: unknown; capped?: unknown };
    if (typeof rule === 'string') out.push({ rule, capped: capped === true });
  }
  return out;
}
