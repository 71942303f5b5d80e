/**
 * The embedded store's file layout: one SQLite file per data folder, its pragmas and tables. Kept
 * apart from the adapter so a migration is one reviewed diff here.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../../errors.js';

/** The file name inside the data folder. */
export const DB_FILE = 'fengkong.db';

/** Schema version written to `PRAGMA user_version`; bump with a migration, never reuse. */
export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS journal (
  seq         INTEGER PRIMARY KEY,
  type        TEXT    NOT NULL,
  tx_id       TEXT    UNIQUE,
  event       TEXT    NOT NULL,
  decision    TEXT,
  received_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS api_keys (
  hash       TEXT    PRIMARY KEY,
  role       TEXT    NOT NULL CHECK (role IN ('decide', 'analyst', 'admin')),
  created_at INTEGER NOT NULL
) STRICT;
`;

/**
 * Durability settings: WAL so readers never wait for the writer, `synchronous = FULL` so a
 * committed transaction survives power loss (the WAL is fsynced at every commit), and a busy
 * timeout so a `keys create` beside a running server waits instead of failing.
 */
export function configure(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
}

/** Creates the tables of a new file, or checks that an existing file has a schema we know. */
export function migrate(db: Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `${file} has schema version ${version}, newer than this fengkong (${SCHEMA_VERSION}); upgrade fengkong`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
