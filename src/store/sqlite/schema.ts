/**
 * The embedded store's file layout: one SQLite file per data folder, its pragmas and tables. Kept
 * apart from the adapter so a migration is one reviewed diff here.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../../errors.js';

/** The file name inside the data folder. */
export const DB_FILE = 'fengkong.db';

/** Schema version written to `PRAGMA user_version`; bump with a migration, never reuse. */
export const SCHEMA_VERSION = 4;

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
  role       TEXT    NOT NULL CHECK (role IN ('decide', 'ingest', 'analyst', 'admin', 'support', 'metrics')),
  created_at INTEGER NOT NULL,
  name           TEXT,
  revoked_at     INTEGER,
  revoked_by     TEXT,
  revoke_reason  TEXT,
  rate           REAL CHECK (rate IS NULL OR rate > 0)
) STRICT;
`;

/**
 * The step from each version to the next, by the version it produces. SQLite cannot change a CHECK
 * constraint in place, so version 2 (the `support` role) rebuilds api_keys with every key it holds.
 * Version 3 (key labels and revocation) only adds nullable columns: every existing key keeps working.
 * Version 4 (the `ingest` and `metrics` roles, a per-key rate limit) rebuilds it again, every key
 * kept as it was and unlimited.
 */
const MIGRATIONS: Readonly<Record<number, string>> = {
  2: `
CREATE TABLE api_keys_v2 (
  hash       TEXT    PRIMARY KEY,
  role       TEXT    NOT NULL CHECK (role IN ('decide', 'analyst', 'admin', 'support')),
  created_at INTEGER NOT NULL
) STRICT;
INSERT INTO api_keys_v2 (hash, role, created_at) SELECT hash, role, created_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v2 RENAME TO api_keys;
`,
  3: `
ALTER TABLE api_keys ADD COLUMN name TEXT;
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_keys ADD COLUMN revoked_by TEXT;
ALTER TABLE api_keys ADD COLUMN revoke_reason TEXT;
`,
  4: `
CREATE TABLE api_keys_v4 (
  hash       TEXT    PRIMARY KEY,
  role       TEXT    NOT NULL CHECK (role IN ('decide', 'ingest', 'analyst', 'admin', 'support', 'metrics')),
  created_at INTEGER NOT NULL,
  name           TEXT,
  revoked_at     INTEGER,
  revoked_by     TEXT,
  revoke_reason  TEXT,
  rate           REAL CHECK (rate IS NULL OR rate > 0)
) STRICT;
INSERT INTO api_keys_v4 (hash, role, created_at, name, revoked_at, revoked_by, revoke_reason)
  SELECT hash, role, created_at, name, revoked_at, revoked_by, revoke_reason FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v4 RENAME TO api_keys;
`,
};

/**
 * Block, allow and watch lists (see src/lists/store.ts). Added after version 1 without a version
 * bump: every statement is IF NOT EXISTS (or OR IGNORE) and the list adapter runs them on each
 * writable open, so an existing data folder gains the tables and a new one gets them on first use.
 * `lists_version` counts committed changes, so a server notices changes made by the CLI.
 */
export const LISTS_DDL = `
CREATE TABLE IF NOT EXISTS lists (
  name        TEXT    PRIMARY KEY,
  kind        TEXT    NOT NULL CHECK (kind IN ('account', 'device', 'merchant', 'terminal', 'ip', 'string')),
  purpose     TEXT    NOT NULL CHECK (purpose IN ('block', 'allow', 'watch')),
  description TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  builtin     INTEGER NOT NULL CHECK (builtin IN (0, 1))
) STRICT;
CREATE TABLE IF NOT EXISTS list_entries (
  list        TEXT    NOT NULL REFERENCES lists (name) ON DELETE CASCADE,
  value       TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  author      TEXT    NOT NULL,
  added_at    INTEGER NOT NULL,
  expires_at  INTEGER,
  PRIMARY KEY (list, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS list_entries_expiry ON list_entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS lists_version (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  version     INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO lists_version (id, version) VALUES (1, 0);
`;

/**
 * Durability settings: WAL so readers never wait for the writer, `synchronous = FULL` so a
 * committed transaction survives power loss (the WAL is fsynced at every commit), and a busy
 * timeout so a `keys create` beside a running server waits instead of failing. `secure_delete` zeroes
 * freed pages (encryption at rest: a clear row replaced by a sealed one must not linger).
 */
export function configure(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // freed pages are zeroed, so a row rewritten sealed leaves no clear copy behind
  db.pragma('secure_delete = ON');
}

/**
 * Creates the tables of a new file, brings an older file up to date (every step in one IMMEDIATE
 * transaction: all of it or none), or checks that an existing file has a schema we know. A
 * read-only connection reads an older file as it is (nothing it reads changed shape).
 */
export function migrate(db: Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `${file} has schema version ${version}, newer than this fengkong (${SCHEMA_VERSION}); upgrade fengkong`,
    );
  }
  if (version === SCHEMA_VERSION || (db.readonly && version >= 1)) return;
  db.transaction(() => {
    // another connection may have migrated between the read above and this lock
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current === SCHEMA_VERSION) return;
    if (current === 0) db.exec(DDL);
    else for (let v = current + 1; v <= SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
