// The SQLite key store: the shared KeyStore contract on a real file in a temp folder, then what is
// the file's own (schema version 3): a version-2 file keeps its keys, findKey never returns a revoked
// key, ids and prefixes resolve to one key, and the Authenticator's cache drops a key revoked
// through the same store at once (through another, within its cache time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { KeyStore } from '../../../src/keys/store.js';
import { ApiError } from '../../../src/server/errors.js';
import { Authenticator, generateKey, hashKey, keyIdOf } from '../../../src/server/auth.js';
import { SCHEMA_VERSION } from '../../../src/store/sqlite/schema.js';
import { dbPath, SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../../server/helpers.js';
import { keysContract } from '../contract/keys.js';
import { sqliteHarness } from './harness.js';

keysContract('SqliteStore', sqliteHarness('keys', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: store, close: () => store.close() };
}));

/** The DDL of schema version 2, as the previous fengkong wrote it. */
const V2_DDL = `
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
  role       TEXT    NOT NULL CHECK (role IN ('decide', 'analyst', 'admin', 'support')),
  created_at INTEGER NOT NULL
) STRICT;
`;

test('a version-2 file keeps its keys, gains labels and revocation', (t) => {
  const dir = tempDir('fk-keys-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const keys = { decide: generateKey(), analyst: generateKey(), admin: generateKey(), support: generateKey() };
  const v2 = new BetterSqlite3(dbPath(dir));
  v2.pragma('journal_mode = WAL');
  v2.exec(V2_DDL);
  v2.pragma('user_version = 2');
  const insert = v2.prepare('INSERT INTO api_keys (hash, role, created_at) VALUES (?, ?, ?)');
  Object.entries(keys).forEach(([role, key], i) => insert.run(hashKey(key), role, 1_700_000_000_000 + i));
  v2.close();

  // a read-only reader reads the version-2 file as it is
  const reader = new SqliteStore(dir, { readonly: true });
  assert.equal(reader.findKey(hashKey(keys.admin))?.role, 'admin');
  assert.equal(reader.listKeys().length, 4);
  assert.equal(reader.listKeys()[0].name, undefined);
  reader.close();

  const store = new SqliteStore(dir);
  try {
    assert.equal(SCHEMA_VERSION, 4);
    assert.equal(store.database.pragma('user_version', { simple: true }), 4);
    Object.entries(keys).forEach(([role, key], i) => {
      assert.deepEqual(store.findKey(hashKey(key)), { hash: hashKey(key), role, createdAt: 1_700_000_000_000 + i });
    });
    const named = generateKey();
    assert.equal(store.createKey(hashKey(named), 'decide', 'switch-prod-1').name, 'switch-prod-1');
    assert.equal(store.findKey(hashKey(named))?.name, 'switch-prod-1');
    assert.deepEqual(
      store.listKeys().map((k) => k.role),
      ['decide', 'analyst', 'admin', 'support', 'decide'],
    );

    // by key id
    assert.equal(store.revocations(), 0);
    const revoked = store.revokeKey(keyIdOf(hashKey(keys.decide)), 'cli:test', 'leaked');
    assert.equal(revoked.revokedBy, 'cli:test');
    assert.equal(revoked.revokeReason, 'leaked');
    assert.equal(typeof revoked.revokedAt, 'number');
    assert.equal(store.revocations(), 1);
    assert.equal(store.findKey(hashKey(keys.decide)), undefined, 'a revoked key is never found');
    const listed = store.listKeys().find((k) => k.hash === hashKey(keys.decide));
    assert.equal(listed?.revokedAt, revoked.revokedAt);
    assert.throws(() => store.revokeKey(keyIdOf(hashKey(keys.decide)), 'cli:test'), /already revoked/);
    // by hash prefix (20 hex digits)
    assert.equal(store.revokeKey(hashKey(keys.support).slice(0, 20), 'key_x').revokedBy, 'key_x');
    assert.equal(store.findKey(hashKey(keys.support)), undefined);
    assert.equal(store.revocations(), 2);
    // unknown, malformed, too short
    assert.throws(() => store.revokeKey('key_000000000000', 'x'), /no API key/);
    assert.throws(() => store.revokeKey('key_zz', 'x'), /no API key/);
    assert.throws(() => store.revokeKey(hashKey(keys.admin).slice(0, 8), 'x'), /no API key/);
    // ambiguous: two hashes sharing their first 12 digits
    store.createKey('abcdef012345' + '0'.repeat(52), 'analyst');
    store.createKey('abcdef012345' + '1'.repeat(52), 'analyst');
    assert.throws(() => store.revokeKey('key_abcdef012345', 'x'), /more than one key/);
    assert.equal(store.revokeKey('abcdef0123451', 'x').hash, 'abcdef012345' + '1'.repeat(52));
    assert.equal(store.findKey(hashKey(keys.admin))?.role, 'admin', 'the others still work');
  } finally {
    store.close();
  }
  // reopening is a no-op and keeps the revocations
  const again = new SqliteStore(dir);
  assert.equal(again.findKey(hashKey(keys.decide)), undefined);
  assert.equal(again.listKeys().filter((k) => k.revokedAt !== undefined).length, 3);
  again.close();
});

test('a version-3 file keeps every key, label and revocation, and gains the new roles and rates', (t) => {
  const dir = tempDir('fk-keys-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const v3 = new BetterSqlite3(dbPath(dir));
  v3.pragma('journal_mode = WAL');
  v3.exec(V2_DDL);
  v3.exec(`ALTER TABLE api_keys ADD COLUMN name TEXT; ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
    ALTER TABLE api_keys ADD COLUMN revoked_by TEXT; ALTER TABLE api_keys ADD COLUMN revoke_reason TEXT;`);
  v3.pragma('user_version = 3');
  const a = generateKey();
  const b = generateKey();
  v3.prepare('INSERT INTO api_keys (hash, role, created_at, name) VALUES (?, ?, ?, ?)').run(hashKey(a), 'decide', 7, 'switch-1');
  v3.prepare('INSERT INTO api_keys (hash, role, created_at, revoked_at, revoked_by, revoke_reason) VALUES (?, ?, ?, ?, ?, ?)').run(hashKey(b), 'analyst', 8, 9, 'cli:x', 'gone');
  assert.throws(() => v3.prepare('INSERT INTO api_keys (hash, role, created_at) VALUES (?, ?, ?)').run('f'.repeat(64), 'ingest', 1), /CHECK constraint/);
  v3.close();
  // a read-only reader reads the version-3 file as it is: no rates
  const reader = new SqliteStore(dir, { readonly: true });
  assert.deepEqual(reader.findKey(hashKey(a)), { hash: hashKey(a), role: 'decide', createdAt: 7, name: 'switch-1' });
  reader.close();
  const store = new SqliteStore(dir);
  try {
    assert.equal(store.database.pragma('user_version', { simple: true }), 4);
    assert.deepEqual(store.findKey(hashKey(a)), { hash: hashKey(a), role: 'decide', createdAt: 7, name: 'switch-1' });
    assert.equal(store.findKey(hashKey(b)), undefined, 'still revoked');
    assert.equal(store.listKeys()[1].revokeReason, 'gone');
    for (const role of ['ingest', 'metrics'] as const) assert.equal(store.createKey(hashKey(generateKey()), role, { rate: 10 }).role, role);
    assert.equal(store.setKeyRate(keyIdOf(hashKey(a)), 500).rate, 500);
    assert.throws(() => store.database.prepare('UPDATE api_keys SET rate = 0').run(), /CHECK constraint/);
    assert.equal((store.database.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'api_keys_v4'").get() as { n: number }).n, 0);
  } finally {
    store.close();
  }
});

test('a version-1 file migrates through 2, 3 and 4', (t) => {
  const dir = tempDir('fk-keys-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const v1 = new BetterSqlite3(dbPath(dir));
  v1.exec(V2_DDL.replace(", 'support'", ''));
  v1.pragma('user_version = 1');
  const key = generateKey();
  v1.prepare('INSERT INTO api_keys (hash, role, created_at) VALUES (?, ?, ?)').run(hashKey(key), 'admin', 5);
  v1.close();
  const store = new SqliteStore(dir);
  try {
    assert.equal(store.database.pragma('user_version', { simple: true }), 4);
    assert.deepEqual(store.findKey(hashKey(key)), { hash: hashKey(key), role: 'admin', createdAt: 5 });
    store.revokeKey(keyIdOf(hashKey(key)), 'x');
    assert.equal(store.findKey(hashKey(key)), undefined);
  } finally {
    store.close();
  }
});

test('the Authenticator forgets a key revoked through its store at once, through another store within its cache time', async (t) => {
  const dir = tempDir('fk-keys-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(dir);
  const other = new SqliteStore(dir); // as `fengkong keys revoke` beside a server
  t.after(() => {
    store.close();
    other.close();
  });
  const a = generateKey();
  const b = generateKey();
  store.createKey(hashKey(a), 'admin');
  store.createKey(hashKey(b), 'admin');
  const auth = new Authenticator(store, 200);
  const ok = (key: string): boolean => !(auth.check(`Bearer ${key}`, 'admin') instanceof ApiError);
  assert.ok(ok(a) && ok(b)); // both cached now
  store.revokeKey(keyIdOf(hashKey(a)), 'x');
  assert.equal(ok(a), false, 'refused on the next request');
  const refused = auth.check(`Bearer ${a}`, 'admin') as ApiError;
  assert.equal(refused.status, 401);
  assert.ok(ok(b));

  other.revokeKey(keyIdOf(hashKey(b)), 'cli:x');
  assert.equal(ok(b), true, 'another process: still cached');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(ok(b), false, 'refused once the cache time passed');
});

test('the Authenticator answers at once from a store that does, and awaits one that answers later', async (t) => {
  const dir = tempDir('fk-keys-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sqlite = new SqliteStore(dir);
  t.after(() => sqlite.close());
  let lookups = 0;
  // the same keys behind promises, as a networked adapter would answer
  const later: KeyStore<'async'> = {
    createKey: async (hash, role, opts) => sqlite.createKey(hash, role, opts),
    findKey: async (hash) => {
      lookups++;
      return sqlite.findKey(hash);
    },
    listKeys: async () => sqlite.listKeys(),
    revokeKey: async (id, by, reason) => sqlite.revokeKey(id, by, reason),
    setKeyRate: async (id, rate) => sqlite.setKeyRate(id, rate),
    revocations: () => sqlite.revocations(),
    changes: () => sqlite.changes(),
  };
  const a = generateKey();
  await later.createKey(hashKey(a), 'analyst');

  const now = new Authenticator(sqlite);
  const direct = now.check(`Bearer ${a}`, 'read');
  assert.equal(direct instanceof Promise, false, 'SQLite: no promise, so the decision path takes no await');
  assert.equal((direct as { keyId: string }).keyId, keyIdOf(hashKey(a)));

  const auth = new Authenticator(later);
  const first = auth.check(`Bearer ${a}`, 'read');
  assert.ok(first instanceof Promise);
  assert.equal(((await first) as { keyId: string }).keyId, keyIdOf(hashKey(a)));
  assert.equal(((await auth.check(`Bearer ${a}`, 'read')) as { keyId: string }).keyId, keyIdOf(hashKey(a)));
  assert.equal(lookups, 1, 'the second check came from the cache');
  assert.equal(auth.check(`Bearer ${a}`, 'read') instanceof Promise, false, 'a cached key is checked without a promise, whatever the store');
  assert.equal(((await auth.check(`Bearer ${a}`, 'admin')) as ApiError).status, 403);
  assert.equal(((await auth.check(`Bearer ${generateKey()}`, 'read')) as ApiError).status, 401);
  await later.revokeKey(keyIdOf(hashKey(a)), 'x');
  assert.equal(((await auth.check(`Bearer ${a}`, 'read')) as ApiError).status, 401, 'revoked through the same store: refused on the next request');
});
