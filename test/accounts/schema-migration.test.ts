// Schema version 2 (the `support` role): a data folder written by version 1, with the old api_keys
// table, is migrated in place on open — every key kept with its role and creation time — and the
// new role works at once, from the store and through a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { generateKey, hashKey } from '../../src/server/auth.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { dbPath, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { account, registry } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from '../server/helpers.js';

/** The DDL of schema version 1, as fengkong 0.1 wrote it. */
const V1_DDL = `
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

test('a version-1 file keeps its keys and gains the support role', async (t) => {
  const dir = tempDir('acct-migrate-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const keys = { decide: generateKey(), analyst: generateKey(), admin: generateKey() };
  const v1 = new BetterSqlite3(dbPath(dir));
  v1.pragma('journal_mode = WAL');
  v1.exec(V1_DDL);
  v1.pragma('user_version = 1');
  const insert = v1.prepare('INSERT INTO api_keys (hash, role, created_at) VALUES (?, ?, ?)');
  Object.entries(keys).forEach(([role, key], i) => insert.run(hashKey(key), role, 1_700_000_000_000 + i));
  assert.throws(() => insert.run(hashKey(generateKey()), 'support', 1), /CHECK constraint/, 'version 1 refuses the role');
  v1.close();

  // a read-only reader (a backtest beside the server) reads a version-1 file as it is
  const reader = new SqliteStore(dir, { readonly: true });
  assert.equal(reader.findKey(hashKey(keys.admin))?.role, 'admin');
  reader.close();

  const store = new SqliteStore(dir);
  try {
    assert.equal(store.database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 2);
    Object.entries(keys).forEach(([role, key], i) => {
      assert.deepEqual(store.findKey(hashKey(key)), { hash: hashKey(key), role, createdAt: 1_700_000_000_000 + i });
    });
    const support = generateKey();
    assert.equal(store.createKey(hashKey(support), 'support').role, 'support');
    assert.equal(store.findKey(hashKey(support))?.role, 'support');
    assert.throws(() => store.createKey(hashKey(generateKey()), 'root' as never), /CHECK constraint/);
    const sql = (store.database.prepare("SELECT sql FROM sqlite_master WHERE name = 'api_keys'").get() as { sql: string }).sql;
    assert.match(sql, /'support'/);
    assert.equal((store.database.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'api_keys_v2'").get() as { n: number }).n, 0);
  } finally {
    store.close();
  }
  // opening again is a no-op
  new SqliteStore(dir).close();

  // the CLI makes support keys, and a server on the migrated folder serves old and new keys
  const cliKey = execFileSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'fengkong.js'), 'keys', 'create', '--role', 'support', '--data', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  const s = await startTestServer({ dir, keys: { ...keys, support: cliKey, ingest: keys.admin, metrics: keys.admin } });
  try {
    await feed(s.url, keys.admin, [...registry(), account('A1')]);
    assert.equal((await call(s.url, '/v1/accounts/A1', { key: keys.analyst })).status, 200);
    assert.equal((await call(s.url, '/v1/accounts/A1/customer-view', { key: cliKey })).status, 200);
    assert.equal((await call(s.url, '/v1/accounts/A1', { key: cliKey })).status, 403);
  } finally {
    await s.close();
  }
});
