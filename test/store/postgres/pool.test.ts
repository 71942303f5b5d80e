// A cluster's pool: its schema made once, every connection in it, bad names and dead servers refused clearly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ErrorCode, StoreError } from '../../../src/errors.js';
import { openPgCluster, schemaOf } from '../../../src/store/postgres/pool.js';
import { testPostgres } from './harness.js';

describe('postgres: cluster pool', () => {
  it('creates the schema fk_<c> once and puts every connection in it', async (t) => {
    const { db, open } = await testPostgres(t);
    const [a, b] = await Promise.all([open(), open()]);
    assert.equal(a.schema, `fk_${db.cluster}`);
    const clients = await Promise.all([a.pool.connect(), a.pool.connect(), a.pool.connect()]);
    try {
      for (const c of clients) assert.equal((await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0].s, a.schema);
    } finally {
      for (const c of clients) c.release();
    }
    await a.pool.query('CREATE TABLE probe (x int)');
    const where = await b.pool.query<{ n: string }>("SELECT table_schema AS n FROM information_schema.tables WHERE table_name = 'probe'");
    assert.deepEqual(where.rows, [{ n: a.schema }]);
  });

  it('keeps two clusters of one database apart, mixed-case names included', async (t) => {
    const { open } = await testPostgres(t);
    const a = await open('Alpha_1');
    const b = await open('alpha_1');
    await a.pool.query('CREATE TABLE only_a (x int)');
    assert.equal((await a.pool.query("SELECT to_regclass('only_a') AS r")).rows[0].r, 'only_a');
    assert.equal((await b.pool.query("SELECT to_regclass('only_a') AS r")).rows[0].r, null);
  });

  it('keeps start-up options given in the URL beside the search_path', async (t) => {
    const { db, defer } = await testPostgres(t);
    const u = new URL(db.url);
    u.searchParams.set('options', '-c statement_timeout=4321');
    const p = await openPgCluster(u.toString(), db.cluster);
    defer(() => p.close());
    assert.equal((await p.pool.query<{ s: string }>("SELECT current_setting('statement_timeout') AS s")).rows[0].s, '4321ms');
    assert.equal((await p.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0].s, p.schema);
  });

  it('refuses a cluster name that is not letters, digits and _ (FK3001)', async () => {
    for (const bad of ['', 'a-b', 'a.b', 'x y', 'é', 'a'.repeat(41), 'a"b']) {
      assert.throws(() => schemaOf(bad), (e: unknown) => e instanceof ConfigError && e.code === ErrorCode.Config && e.message.includes('--cluster'));
    }
    await assert.rejects(openPgCluster('postgres://postgres@127.0.0.1:5432/postgres', 'no-dash'), ConfigError);
  });

  it('fails fast naming the URL (never the password) when the server is not there', async () => {
    const started = Date.now();
    await assert.rejects(openPgCluster('postgres://postgres:s3cret@127.0.0.1:1/x', 'c', { connectTimeoutMs: 1000 }), (e: unknown) =>
      e instanceof StoreError && e.message.includes('127.0.0.1:1') && e.message.includes('ECONNREFUSED') && !e.message.includes('s3cret'));
    await assert.rejects(openPgCluster('mysql://127.0.0.1/x', 'c'), (e: unknown) => e instanceof StoreError && e.message.includes('--postgres'));
    assert.ok(Date.now() - started < 3000);
  });
});
