// The migration runner: once per version however many nodes start, atomic per step, newer schemas refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../../src/errors.js';
import { migrate, schemaVersion } from '../../../src/store/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/store/postgres/migrations.js';
import { testPostgres } from './harness.js';

describe('postgres: migrations', () => {
  it('migrates a new schema to the latest version, then does nothing', async (t) => {
    const { open } = await testPostgres(t);
    const p = await open();
    assert.equal(await schemaVersion(p), 0);
    assert.deepEqual(await migrate(p), MIGRATIONS.map((m) => m.version));
    assert.equal(await schemaVersion(p), MIGRATIONS.length);
    assert.deepEqual(await migrate(p), []);
    const cols = await p.pool.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'data_keys' ORDER BY ordinal_position",
      [p.schema],
    );
    assert.deepEqual(cols.rows.map((r) => `${r.column_name} ${r.data_type}`), ['id integer', 'wrapped bytea', 'created_at timestamp with time zone']);
  });

  it('two nodes migrating at once apply each version exactly once', async (t) => {
    const { open } = await testPostgres(t);
    const nodes = await Promise.all([1, 2, 3].map(() => open()));
    const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'slow', sql: 'SELECT pg_sleep(0.2); CREATE TABLE slow (x int);' }];
    const applied = await Promise.all(nodes.map((n) => migrate(n, extra)));
    assert.deepEqual(applied.flat().sort((a, b) => a - b), extra.map((m) => m.version));
    const rows = await nodes[0].pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
    assert.deepEqual(rows.rows.map((r) => r.version), extra.map((m) => m.version));
  });

  it('a failing migration leaves the schema at the version before it', async (t) => {
    const { open } = await testPostgres(t);
    const p = await open();
    const bad = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'half', sql: 'CREATE TABLE half (x int); SELECT no_such_function();' }];
    await assert.rejects(migrate(p, bad), (e: unknown) => e instanceof StoreError && e.message.includes('half') && e.message.includes(p.schema));
    assert.equal(await schemaVersion(p), MIGRATIONS.length);
    assert.equal((await p.pool.query("SELECT to_regclass('half') AS r")).rows[0].r, null);
  });

  it('refuses a schema newer than the code, and a list with a gap', async (t) => {
    const { open } = await testPostgres(t);
    const p = await open();
    await migrate(p, [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', sql: 'CREATE TABLE future (x int)' }]);
    await assert.rejects(migrate(p), (e: unknown) => e instanceof StoreError && /newer than this fengkong knows/.test(e.message));
    await assert.rejects(migrate(p, [{ version: 2, name: 'gap', sql: '' }]), StoreError);
  });
});
