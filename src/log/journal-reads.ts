/**
 * History reads written once for a journal of either kind. The reports and the backtest read the
 * journal as a few range reads (a label scan, a bisection, one pass) whose per-entry work is
 * synchronous and CPU-bound; only *getting* the entries differs: the embedded SQLite journal hands
 * them over synchronously, a cluster's PostgreSQL projection in pages behind a promise.
 *
 * So such a read is written as a generator — a JournalProgram — that yields the reads it needs
 * (`yield* lastSeqOf()`, `yield* eachInRange(range, cb)`) and is driven either by `runOnJournal`
 * (the sync `Journal`, nothing changes for the embedded callers: no promise, same speed) or by
 * `runOnSource` (an async `JournalSource`, a page at a time, never the whole history in memory).
 * One body of logic, two drivers, instead of a sync and an async copy of every report.
 */
import type { Journal, JournalEntry, JournalRange } from './journal.js';

/** One read a JournalProgram asks its driver for. */
export type JournalRead =
  | { readonly kind: 'lastSeq' }
  | { readonly kind: 'range'; readonly range: JournalRange; readonly cb: (entry: JournalEntry) => boolean | void };

/**
 * A history read that yields its journal reads and returns T. The value sent back is the answer
 * to the read: lastSeq for a `lastSeq` read, 0 for a range read (its entries went to its callback).
 */
export type JournalProgram<T> = Generator<JournalRead, T, number>;

/** The journal's last seq, as the driver's journal or source tells it (entries after it are never read). */
export function* lastSeqOf(): JournalProgram<number> {
  return yield { kind: 'lastSeq' };
}

/**
 * The entries of `range` to `cb`, in seq order, as `Journal.forEachEventInRange` gives them: the
 * read stops as soon as `cb` returns false.
 */
export function* eachInRange(range: JournalRange, cb: (entry: JournalEntry) => boolean | void): JournalProgram<void> {
  yield { kind: 'range', range, cb };
}

/**
 * An asynchronous, read-only journal: the history of a cluster in its PostgreSQL projection. A
 * page is a short array of entries in seq order, so the per-entry work stays synchronous and one
 * promise is paid per page, not per entry. An adapter must give exactly what
 * `Journal.forEachEventInRange` would for the same range (bounds, `type`, `exceptType`), skip
 * entries that are not contract events (a cluster's internal control entries: they occupy a seq
 * but no reader of events sees them), and fail — not skip — on a seq that is missing.
 */
export interface JournalSource {
  /** Highest seq stored, 0 when empty. */
  lastSeq(): Promise<number>;
  /**
   * The entries of `range` in pages, in seq order. The consumer may stop early (`break` out of
   * `for await`); the adapter then stops reading. `range.whole` says the consumer reads to the
   * end, so an adapter may fetch big pages at once; unset, it starts small.
   */
  pages(range: JournalRange): AsyncIterable<readonly JournalEntry[]>;
}

/** Runs `program` on a synchronous journal; returns what it returns, synchronously. */
export function runOnJournal<T>(journal: Journal, program: JournalProgram<T>): T {
  let step = program.next(0);
  while (step.done !== true) {
    const read = step.value;
    let answer = 0;
    try {
      if (read.kind === 'lastSeq') answer = journal.lastSeq();
      else journal.forEachEventInRange(read.range, read.cb);
    } catch (e) {
      step = program.throw(e);
      continue;
    }
    step = program.next(answer);
  }
  return step.value;
}

/** Runs `program` on an asynchronous source, a page at a time. */
export async function runOnSource<T>(source: JournalSource, program: JournalProgram<T>): Promise<T> {
  let step = program.next(0);
  while (step.done !== true) {
    const read = step.value;
    let answer = 0;
    try {
      if (read.kind === 'lastSeq') answer = await source.lastSeq();
      else await eachPage(source, read.range, read.cb);
    } catch (e) {
      step = program.throw(e);
      continue;
    }
    step = program.next(answer);
  }
  return step.value;
}

async function eachPage(source: JournalSource, range: JournalRange, cb: (entry: JournalEntry) => boolean | void): Promise<void> {
  for await (const page of source.pages(range)) {
    for (const e of page) if (cb(e) === false) return; // leaving the loop closes the source's iterator
  }
}
