// The SQLite shadow store (shadow.db): the shared ShadowStore contract (which covers the runs to
// resume after a restart), then what is the file's own: a shadow.db written before those columns
// existed opens with them added and its runs intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SHADOW_DB_FILE, SqliteShadowStore } from '../../../src/store/sqlite/shadow.js';
import { shadowsContract } from '../contract/shadows.js';
import { sqliteHarness } from './harness.js';

shadowsContract('SqliteShadowStore', sqliteHarness('shadows', (dataDir) => {
  const store = new SqliteShadowStore(dataDir);
  return { port: store, close: () => store.close() };
}));

const run = (version: number, startedBy = 'k1') => ({ version, policy: `v${version}`, startedAt: 1, startedBy, startSeq: 0 });

test('a shadow.db from before resuming existed opens with the new columns and its runs readable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-test-shadow-old-'));
  try {
    const db = new BetterSqlite3(join(dir, SHADOW_DB_FILE));
    db.exec(`CREATE TABLE shadow_runs (run INTEGER PRIMARY KEY, version INTEGER NOT NULL, policy TEXT NOT NULL,
      started_at INTEGER NOT NULL, started_by TEXT NOT NULL, start_seq INTEGER NOT NULL, running_since INTEGER,
      stopped_at INTEGER, stopped_by TEXT, stop_reason TEXT, summary TEXT) STRICT`);
    db.prepare("INSERT INTO shadow_runs (version, policy, started_at, started_by, start_seq, stopped_at, stopped_by, stop_reason) VALUES (5, 'v5', 1, 'k9', 3, 4, 'system', 'the server is shutting down')").run();
    db.close();
    const s = new SqliteShadowStore(dir);
    const r = s.run(1);
    assert.deepEqual([r?.version, r?.startedBy, r?.stopReason, r?.resumedFrom], [5, 'k9', 'the server is shutting down', null]);
    assert.deepEqual(s.toResume(), [], 'a run stopped before resuming existed is not resumed');
    const next = s.createRun({ ...run(5), resumedFrom: 1 });
    assert.equal(s.latestRun(5)?.run, next);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
