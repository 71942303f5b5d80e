/**
 * Rebuilding the engine's state from the journal at start: every journaled event is validated
 * again and applied in seq order to a fresh engine, so feature state after a restart equals the
 * state before it and no later decision changes. Replayed decisions are compared with the ones
 * answered; a difference means the policy changed between runs, and is reported, not hidden.
 */
import { parseEvent } from '../contract/parse.js';
import type { Engine } from '../engine/engine.js';
import { ContractError, StoreError } from '../errors.js';
import type { Journal } from '../store/journal.js';

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
}

/**
 * Applies the whole journal to `engine` (which must be fresh), calling `onTransaction` with every
 * transaction id; throws StoreError on a bad entry.
 */
export function recover(journal: Journal, engine: Engine, onTransaction: (txId: string) => void = () => {}): RecoveryReport {
  const started = performance.now();
  let events = 0;
  let transactions = 0;
  let changed = 0;
  let lastSeq = 0;
  journal.forEachEvent((entry) => {
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
    lastSeq = entry.seq;
    events++;
    const d = engine.apply(ev);
    if (d !== null) {
      transactions++;
      onTransaction(d.txId);
      if (entry.decision !== null && !sameDecision(entry.decision, d.outcome, d.score)) changed++;
    }
  });
  return { events, transactions, changedDecisions: changed, lastSeq, ms: performance.now() - started };
}

function sameDecision(stored: string, outcome: string, score: number): boolean {
  const s = JSON.parse(stored) as { outcome?: unknown; score?: unknown };
  return s.outcome === outcome && s.score === score;
}
