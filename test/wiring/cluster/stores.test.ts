// openClusterStores against the real PostgreSQL, a fresh database per test (dropped after): two
// openings of one cluster share its keys, audit chain and data keys; a failed opening says where and
// leaves no connection behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigError, StoreError } from '../../../src/errors.js';
import { openClusterStores } from '../../../src/wiring/cluster/stores.js';
import { freshPostgres } from '../../helpers/services.js';

function keyDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-cluster-stores-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Connections to `url`'s database that cluster `cluster`'s pools hold (their application_name). */
async function connectionsOf(url: string, cluster: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [`fengkong ${cluster}`]);
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

test('openClusterStores: a second opening of the cluster sees the key, the audit entry and the data key the first made', async (t) => {
  const db = await freshPostgres();
  t.after(() => db.drop());
  const masterKeyFile = join(keyDir(t), 'master.key');
  const opts = { postgres: db.url, cluster: db.cluster, masterKeyFile, poolMax: 2 };
  const first = await openClusterStores(opts);
  const hash = 'a'.repeat(64);
  try {
    assert.equal(first.pg.schema, `fk_${db.cluster}`);
    await first.keys.atomically(async () => {
      await first.keys.createKey(hash, 'decide', { name: 'switch-1', rate: 5 });
      await first.audit.append({ actor: 'cli:test', action: 'key.create', target: 'keys/key_aaaaaaaaaaaa' });
    });
  } finally {
    await first.close();
    await first.close(); // twice is fine
  }
  const second = await openClusterStores(opts);
  try {
    const keys = await second.keys.listKeys();
    assert.deepEqual(keys.map((k) => [k.hash, k.role, k.name, k.rate]), [[hash, 'decide', 'switch-1', 5]]);
    assert.equal((await second.audit.head()).seq, 1);
    assert.equal(second.crypt.activeId, 1, 'the data key the first opening made, not a new one');
  } finally {
    await second.close();
  }
  assert.equal(await connectionsOf(db.url, db.cluster), 0, 'close() ended every connection');
});

test('openClusterStores: a change and its audit record commit together or not at all', async (t) => {
  const db = await freshPostgres();
  t.after(() => db.drop());
  const stores = await openClusterStores({ postgres: db.url, cluster: db.cluster, masterKeyFile: join(keyDir(t), 'm.key'), poolMax: 2 });
  t.after(() => stores.close());
  await assert.rejects(
    stores.keys.atomically(async () => {
      await stores.keys.createKey('b'.repeat(64), 'admin');
      await stores.audit.append({ actor: 'cli:test', action: 'key.create', target: 'keys/key_bbbbbbbbbbbb' });
      throw new Error('the command failed after both');
    }),
    /the command failed after both/,
  );
  assert.deepEqual(await stores.keys.listKeys(), []);
  assert.equal((await stores.audit.head()).seq, 0);
});

/** Open TCP sockets of this process, once those closing have closed (a closed socket goes on the next turns). */
async function openSockets(): Promise<number> {
  await new Promise((r) => setTimeout(r, 100));
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

test('openClusterStores: an unreachable or unusable PostgreSQL is a StoreError naming the URL, and nothing stays open', async (t) => {
  const dir = keyDir(t);
  const before = await openSockets();
  const down = 'postgres://postgres:secret@127.0.0.1:1/nowhere';
  await assert.rejects(openClusterStores({ postgres: down, cluster: 'c1', masterKeyFile: join(dir, 'm.key') }), (e: unknown) => {
    assert.ok(e instanceof StoreError, String(e));
    assert.match(e.message, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    assert.doesNotMatch(e.message, /secret/);
    return true;
  });
  await assert.rejects(openClusterStores({ postgres: 'not a url', cluster: 'c1', masterKeyFile: join(dir, 'm.key') }), /not a PostgreSQL URL.*--postgres/);
  assert.equal(await openSockets(), before, 'no socket left open');
  assert.ok(!existsSync(join(dir, 'm.key')), 'no master key file made for a cluster never reached');

  // refused before connecting: a bad name, no master key file
  await assert.rejects(openClusterStores({ postgres: down, cluster: 'no-dash', masterKeyFile: join(dir, 'm.key') }), (e: unknown) => e instanceof ConfigError && /--cluster/.test(e.message));
  const saved = process.env.FENGKONG_MASTER_KEY_FILE;
  delete process.env.FENGKONG_MASTER_KEY_FILE;
  try {
    await assert.rejects(openClusterStores({ postgres: down, cluster: 'c1' }), (e: unknown) => e instanceof ConfigError && /--master-key-file/.test(e.message));
  } finally {
    if (saved !== undefined) process.env.FENGKONG_MASTER_KEY_FILE = saved;
  }
});

test('openClusterStores: a failure after the pool opened (another master key) ends the pool and names the URL', async (t) => {
  const db = await freshPostgres();
  t.after(() => db.drop());
  const dir = keyDir(t);
  await (await openClusterStores({ postgres: db.url, cluster: db.cluster, masterKeyFile: join(dir, 'a.key'), poolMax: 2 })).close();
  writeFileSync(join(dir, 'b.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  await assert.rejects(openClusterStores({ postgres: db.url, cluster: db.cluster, masterKeyFile: join(dir, 'b.key'), poolMax: 2 }), (e: unknown) => {
    assert.ok(e instanceof Error && e.message.includes(new URL(db.url).host), String(e));
    assert.match(e.message, /b\.key/);
    return true;
  });
  assert.equal(await connectionsOf(db.url, db.cluster), 0, 'the pool was ended');
});
