/**
 * The transaction ids of the journal's first entries, read from the SQLite journal's unique index
 * on tx_id alone (a covering index scan: no event text is read). A start from a snapshot replays
 * only the entries after it, yet the server's SeenIds must hold every id ever journaled, so a
 * re-posted old payment is answered from the journal instead of decided twice: 1.05M ids in ~0.6 s.
 * (`+seq` keeps the planner on that index: a seq range would read the whole table.)
 */
import type { Database } from 'better-sqlite3';

/** Calls `cb` with the tx id of every journal entry with seq ≤ `upToSeq` (in index order, not seq order). */
export function forEachTxIdUpTo(db: Database, upToSeq: number, cb: (txId: string) => void): void {
  const stmt = db.prepare<[number], string>('SELECT tx_id FROM journal WHERE tx_id IS NOT NULL AND +seq <= ?').pluck();
  for (const id of stmt.iterate(upToSeq)) cb(id);
}
