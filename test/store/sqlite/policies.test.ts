// The SQLite policy store: the shared PolicyStore contract on the data folder's file, with the
// audit log on the same connection, and the migration of a data folder made before four-eyes modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqlitePolicyStore } from '../../../src/store/sqlite/policies.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { policiesContract } from '../contract/policies.js';
import { sqliteHarness } from './harness.js';

policiesContract('SqlitePolicyStore', sqliteHarness('policies', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: { policies: new SqlitePolicyStore(store.database), audit: store.audit }, close: () => store.close() };
}));

test('a data folder made before four-eyes modes gains the columns; its modes count as approved by who saved them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-modes-migrate-'));
  try {
    const old = new Database(join(dir, 'old.db'));
    old.exec(`CREATE TABLE policy_modes (
      name TEXT PRIMARY KEY, description TEXT NOT NULL, rules TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
      updated_by TEXT NOT NULL, updated_at INTEGER NOT NULL, active INTEGER NOT NULL CHECK (active IN (0, 1)), active_since INTEGER, active_by TEXT) STRICT`);
    old.prepare(`INSERT INTO policy_modes VALUES ('wave', 'old wave', 'rule W\n  when amount < 5\n  score 50\n', 'key_a', 1, 'key_b', 2, 1, 3, 'key_c')`).run();
    const s = new SqlitePolicyStore(old);
    const m = s.mode('wave')!;
    assert.deepEqual([m.approvedBy, m.approvedAt, m.proposal, m.active, m.description], ['key_b', 2, null, true, 'old wave']);
    assert.deepEqual(s.activeModes().map((x) => x.name), ['wave']);
    new SqlitePolicyStore(old); // a second open finds the columns and changes nothing
    assert.equal(s.mode('wave')!.approvedAt, 2);
    old.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
