/**
 * Background writes that must never block the event loop on another connection's write lock: the
 * followers' cursors and the case feed write beside the journal's writer, and a busy wait there
 * would stall decisions. Runs the write with SQLite's busy timeout at 0 (and any other pragmas the
 * caller relaxes for it), restores every pragma after, and answers LOCKED instead of waiting.
 */
import type { Database } from 'better-sqlite3';

/** Another connection held the write lock: nothing was done; try again later. */
export const LOCKED: unique symbol = Symbol('locked');

/** Runs `write` without waiting for the write lock, with `pragmas` set for its length; LOCKED when it would have waited. */
export function withoutWaiting<T>(db: Database, write: () => T, pragmas: Readonly<Record<string, number | string>> = {}): T | typeof LOCKED {
  const names = ['busy_timeout', ...Object.keys(pragmas)];
  const saved = names.map((n) => db.pragma(n, { simple: true }) as number | string);
  db.pragma('busy_timeout = 0');
  for (const [n, v] of Object.entries(pragmas)) db.pragma(`${n} = ${v}`);
  try {
    return write();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return LOCKED;
    throw e;
  } finally {
    for (let i = names.length - 1; i >= 0; i--) db.pragma(`${names[i]} = ${saved[i]}`);
  }
}
