// The shadow store: runs to resume after a restart (only each version's latest run, only when marked),
// and a shadow.db written before those columns existed opens with them added and its runs intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SHADOW_DB_FILE, SqliteShadowStore } from '../../../src/store/sqlite/shadow.js';

const run = (version: number, startedBy = 'k1') => ({ version, policy: `v${version}`, startedAt: 1, startedBy, startSeq: 0 });

test('runs to resume: marked by a shutdown or left open by a crash, each version only by its latest run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-test-shadow-store-'));
  try {
    let s = new SqliteShadowStore(dir);
    const a1 = s.createRun(run(2));
    s.stopRun(a1, 5, 'k1', 'stopped by request', null);
    const a2 = s.createRun(run(2)); // shutdown-stopped, marked
    s.stopRun(a2, 6, 'system', 'the server is shutting down', null);
    s.markResume(a2, true);
    const b1 = s.createRun(run(3)); // marked, but a later run of the version exists
    s.stopRun(b1, 6, 'system', 'the server is shutting down', null);
    s.markResume(b1, true);
    const b2 = s.createRun({ ...run(3), resumedFrom: b1 });
    s.stopRun(b2, 7, 'k2', 'stopped by request', null);
    const c1 = s.createRun(run(4)); // left open by a crash
    s.close();
    s = new SqliteShadowStore(dir);
    const dangling = s.stopDangling(9, 'the server stopped while it ran');
    assert.deepEqual(dangling.map((r) => r.run), [c1]);
    assert.deepEqual(s.toResume().map((r) => [r.version, r.run]), [[2, a2], [4, c1]]);
    assert.equal(s.run(b2)?.resumedFrom, b1);
    assert.equal(s.run(a2)?.resumedFrom, null);
    s.markResume(a2, false);
    assert.deepEqual(s.toResume().map((r) => r.run), [c1]);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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
