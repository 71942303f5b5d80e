// The SQLite audit log: the shared AuditLog contract on the data folder's file in a temp folder,
// and the file's own refusal to rewrite history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { dbPath, SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { auditContract } from '../contract/audit.js';
import type { AuditEntry } from '../../../src/audit/log.js';
import { ChainVerifier, entryHash, GENESIS_HASH } from '../../../src/audit/chain.js';
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

test('SqliteAuditLog: a file from before the chain is hashed once on open, and the step recorded', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // the table as fengkong wrote it before the chain, with its triggers and three entries
  mkdirSync(dir, { recursive: true });
  const old = new BetterSqlite3(dbPath(dir));
  old.exec(`CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, before TEXT, after TEXT) STRICT;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
  const ins = old.prepare('INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)');
  ins.run(1000, 'cli:ops', 'key.create', 'keys/key_1', null, '{"role":"admin"}');
  ins.run(2000, 'key_1', 'list.create', 'lists/x', null, '{"name":"x"}');
  ins.run(3000, 'key_1', 'mode.on', 'modes/m', '{"active":false}', '{"active":true}');
  old.close();

  const store = new SqliteStore(dir);
  const walked: AuditEntry[] = [];
  store.audit.forEachEntry((e) => void walked.push(e));
  assert.deepEqual(walked.map((e) => [e.seq, e.action]), [[1, 'key.create'], [2, 'list.create'], [3, 'mode.on'], [4, 'audit.chain.init']]);
  assert.deepEqual(walked[3].after, { chainedEntries: 3 });
  assert.equal(walked[3].actor, 'system');
  const v = new ChainVerifier();
  for (const e of walked) v.add(e);
  assert.equal(v.verdict().ok, true);
  assert.equal(walked[0].prevHash, GENESIS_HASH);
  store.audit.append({ actor: 'k', action: 'a.b', target: 't' });
  store.close();

  const again = new SqliteStore(dir);
  assert.equal(again.audit.list({ action: 'audit.chain.init' }).length, 1, 'once: a second open adds nothing');
  assert.equal(again.audit.head().seq, 5);
  again.close();
  const db = new BetterSqlite3(dbPath(dir));
  try {
    assert.throws(() => db.exec("UPDATE audit_log SET actor = 'someone else'"), /append-only/, 'the triggers are back');
  } finally {
    db.close();
  }
});

test('SqliteAuditLog: a read-only reader of a file from before the chain computes the hashes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  new SqliteStore(dir).close(); // the current schema, so a read-only open accepts the file
  const db = new BetterSqlite3(dbPath(dir));
  db.exec('DROP TABLE audit_log');
  db.exec('CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT) STRICT');
  db.prepare("INSERT INTO audit_log (at, actor, action, target) VALUES (1, 'k', 'a.b', 't')").run();
  db.close();
  const ro = new SqliteStore(dir, { readonly: true });
  try {
    const [e] = ro.audit.list();
    assert.equal(e.prevHash, GENESIS_HASH);
    assert.equal(e.hash, entryHash(e));
    assert.deepEqual(ro.audit.head(), { seq: 1, hash: e.hash });
  } finally {
    ro.close();
  }
});
