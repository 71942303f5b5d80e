// The SQLite audit log: the shared AuditLog contract on the data folder's file in a temp folder,
// and the file's own refusal to rewrite history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { dbPath, SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { auditContract } from '../contract/audit.js';
import { sqliteHarness } from './harness.js';

auditContract('SqliteAuditLog', sqliteHarness('audit', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: store.audit, close: () => store.close() };
}));

test('SqliteAuditLog: the file itself refuses to update or delete an entry', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(dir);
  store.audit.append({ actor: 'k', action: 'a.b', target: 't' });
  store.close();
  const db = new BetterSqlite3(dbPath(dir));
  try {
    assert.throws(() => db.exec("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
    assert.throws(() => db.exec('DELETE FROM audit_log'), /append-only/);
    assert.equal((db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, 1);
  } finally {
    db.close();
  }
});
