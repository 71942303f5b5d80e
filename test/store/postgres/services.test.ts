// The PostgreSQL test helper itself: each call its own database, gone after drop() even with
// connections still open on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { databaseExists, freshPostgres } from '../../helpers/services.js';

describe('test services: freshPostgres', () => {
  it('creates a database of its own and drops it, open connections and all', async () => {
    const a = await freshPostgres();
    const b = await freshPostgres();
    try {
      assert.match(a.database, /^fk_t_[0-9a-f]{12}$/);
      assert.equal(a.database, `fk_${a.cluster}`);
      assert.notEqual(a.database, b.database);
      const c = new pg.Client({ connectionString: a.url });
      c.on('error', () => undefined);
      await c.connect();
      assert.equal((await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d, a.database);
      await a.drop();
      assert.equal(await databaseExists(a.database), false);
      await c.end().catch(() => undefined);
      await a.drop(); // twice is fine
      assert.equal(await databaseExists(b.database), true);
    } finally {
      await a.drop();
      await b.drop();
    }
    assert.equal(await databaseExists(b.database), false);
  });
});

describe('test services: an unreachable PostgreSQL', () => {
  it('fails the test naming the service, its address and .ci/services', async () => {
    await assert.rejects(freshPostgres('postgres://postgres@127.0.0.1:1/postgres'), (e: Error) =>
      /PostgreSQL/.test(e.message) && e.message.includes('127.0.0.1:1') && e.message.includes('.ci/services'));
  });
});
