/**
 * Where each follower of the journal's rule actions stands (automation/rule-action-follower.ts):
 * one row per follower, the last journal seq it handled, written in the same transaction as what it
 * recorded, so a crash between the two neither loses an action nor records it twice.
 */
import type { Database, Statement } from 'better-sqlite3';
import { LOCKED, withoutWaiting } from './no-wait.js';

const DDL = `
CREATE TABLE IF NOT EXISTS follower_cursors (
  name TEXT    PRIMARY KEY,
  seq  INTEGER NOT NULL
) STRICT;
`;

/** The cursors of the data folder's followers. */
export class SqliteFollowerCursors {
  private readonly get: Statement<{ name: string }>;
  private readonly put: Statement<{ name: string; seq: number }>;

  constructor(private readonly db: Database) {
    db.exec(DDL);
    this.get = db.prepare('SELECT seq FROM follower_cursors WHERE name = @name');
    this.put = db.prepare('INSERT INTO follower_cursors (name, seq) VALUES (@name, @seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq');
  }

  /** The last seq `name` handled; null for a follower that never ran. */
  seqOf(name: string): number | null {
    const row = this.get.get({ name }) as { seq: number } | undefined;
    return row === undefined ? null : row.seq;
  }

  /** Moves `name` forward to `seq` (never back). */
  advance(name: string, seq: number): void {
    this.put.run({ name, seq });
  }

  /**
   * Moves `name` forward to `seq` unless another connection holds the write lock now: then nothing
   * happens and false is returned (never waits: the periodic move over decisions without actions
   * must not block the event loop, and a later move makes up for it).
   */
  tryAdvance(name: string, seq: number): boolean {
    return withoutWaiting(this.db, () => void this.put.run({ name, seq })) !== LOCKED;
  }

  /** Runs `fn` in one transaction unless another connection holds the write lock now (false then: nothing was done). */
  tryTransaction(fn: () => void): boolean {
    return withoutWaiting(this.db, () => this.db.transaction(fn).immediate()) !== LOCKED;
  }

  /**
   * Runs `fn` in one transaction of the cursors' connection (what it records commits with the
   * cursor), taking the write lock first (waiting up to the connection's busy timeout): a read
   * before a write could otherwise fail on a snapshot another connection has moved past.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
