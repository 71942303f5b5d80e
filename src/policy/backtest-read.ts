/**
 * How a backtest reads the journal: stored events back as validated events, and the seq where a
 * time range starts.
 */
import type { FkEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { StoreError } from '../errors.js';
import type { Journal, JournalEntry } from '../log/journal.js';
import { eachInRange, runOnJournal, type JournalProgram } from '../log/journal-reads.js';

/** Event time of a stored event: its `t` as stored, or its validated `ts` when there is none. */
function storedTime(entry: JournalEntry): number {
  const v = JSON.parse(entry.event) as { t?: unknown };
  return typeof v.t === 'number' ? v.t : decodeEntry(entry).t;
}

/**
 * The first seq in 1..lastSeq whose event time is ≥ t, by bisection (exact for a journal in time
 * order; see backtest.ts on late events); lastSeq + 1 when there is none.
 */
export function firstSeqAtOrAfter(journal: Journal, t: number, lastSeq: number): number {
  return runOnJournal(journal, firstSeqProgram(t, lastSeq));
}

/**
 * firstSeqAtOrAfter as a JournalProgram (log/journal-reads.ts), for a journal of either kind. Each
 * probe reads the first entry at or after its seq: a seq a reader skips (a cluster's control entry,
 * not an event) takes the time of the next event, which keeps the bisection's order; a probe with
 * no event after it counts as later than any t.
 */
export function* firstSeqProgram(t: number, lastSeq: number): JournalProgram<number> {
  let lo = 1;
  let hi = lastSeq + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    let tm = Infinity;
    yield* eachInRange({ fromSeq: mid, toSeq: lastSeq }, (e) => {
      tm = storedTime(e);
      return false;
    });
    if (Number.isNaN(tm)) throw new StoreError(`journal entry at seq ${mid} has no event time`);
    if (tm >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A stored event back as a validated event (the same validation recovery applies). */
export function decodeEntry(entry: JournalEntry): FkEvent {
  try {
    return parseEvent(JSON.parse(entry.event));
  } catch (e) {
    throw new StoreError(`journal entry ${entry.seq} cannot be replayed: ${(e as Error).message}`, { cause: e });
  }
}
