// The PostgreSQL shadow store: the shared ShadowStore contract on a fresh database per test, then what
// is the cluster's own: a batch the database refuses part of leaves nothing (records nor totals) and
// the pool usable; one batch of thousands of records is one INSERT; two nodes creating runs at once
// get 1, 2, 3, … without gap or clash; and the tables hold the columns of SQLite's shadow.db — the
// records are ids, amounts, outcomes, scores and reason codes, which neither adapter seals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { ShadowTally } from '../../../src/policy/shadow-tally.js';
import type { ShadowRecord } from '../../../src/policy/shadow-types.js';
import { PgShadowStore } from '../../../src/store/postgres/shadows.js';
import { SHADOW_DB_FILE, SqliteShadowStore } from '../../../src/store/sqlite/shadow.js';
import { shadowsContract } from '../contract/shadows.js';
import { pgHarness } from './contract-harness.js';
import { testPostgres } from './harness.js';

shadowsContract('PgShadowStore', pgHarness(async ({ pg }) => ({ port: await PgShadowStore.open(pg) })));

const newRun = (version: number) => ({ version, policy: `v${version}`, startedAt: 1, startedBy: 'key_a', startSeq: 0 });

function record(seq: number, amount = 100 * seq): ShadowRecord {
  return {
    seq,
    txId: `tx-${seq}`,
    t: 1_700_000_000_000 + seq,
    amount,
    live: { policy: 'v1', outcome: 'approve', score: 2.5, reasons: ['R1'] },
    shadow: { outcome: 'review', score: 61.75, reasons: ['R7', 'R1'] },
    changed: true,
    label: seq % 3 === 0 ? false : null,
  };
}

const totals = (transactions: number) => ({ ...new ShadowTally().view(), transactions });

test('PgShadowStore: a batch with a record the database refuses keeps none of it, totals included; the pool stays usable', async (t) => {
  const { open } = await testPostgres(t);
  const s = await PgShadowStore.open(await open());
  const r = await s.createRun(newRun(2));
  await s.batch(r, 2, [record(1)], totals(1));
  // an amount that is not a whole number of fen: bigint refuses it, in the middle of the batch
  await assert.rejects(s.batch(r, 2, [record(2), record(3, 1.5), record(4)], totals(4)), (e: Error) => e.name === 'StoreError' && /record shadow decisions/.test(e.message));
  assert.deepEqual((await s.decisions(r, {})).map((d) => d.seq), [1]);
  assert.equal((await s.run(r))?.summary?.transactions, 1, 'the totals rolled back with the records');
  for (let i = 0; i < 5; i++) await s.batch(r, 2, [record(10 + i)], null);
  assert.equal((await s.decisions(r, {})).length, 6, 'no connection was left in a failed transaction');
});

test('PgShadowStore: a batch of 6,000 records is one statement and reads back as written', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await PgShadowStore.open(p);
  const r = await s.createRun(newRun(2));
  const records = Array.from({ length: 6_000 }, (_, i) => record(i + 1));
  // the first word of each statement the batch's transaction sends, from the client it checks out
  const sent: string[] = [];
  const undo: (() => void)[] = [];
  const connect = p.pool.connect;
  const checkout = (): Promise<PoolClient> => (connect as () => Promise<PoolClient>).call(p.pool);
  p.pool.connect = (async () => {
    const c = await checkout();
    const q = c.query;
    undo.push(() => (c.query = q));
    c.query = ((text: unknown, ...rest: unknown[]) => {
      if (typeof text === 'string') sent.push(text.trim().split(/\s+/)[0]);
      return (q as (...a: unknown[]) => unknown).call(c, text, ...rest);
    }) as typeof c.query;
    return c;
  }) as unknown as typeof p.pool.connect;
  try {
    await s.batch(r, 2, records, totals(6_000));
  } finally {
    p.pool.connect = connect;
    for (const fn of undo) fn();
  }
  assert.deepEqual(sent, ['BEGIN', 'INSERT', 'UPDATE', 'COMMIT']);
  assert.equal(Number((await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM shadow_decisions')).rows[0].n), 6_000);
  assert.deepEqual(await s.decisions(r, { before: 5_999, limit: 3 }), [record(5_998), record(5_997), record(5_996)]);
});

test('PgShadowStore: two nodes creating runs at once get 1, 2, 3, … without gap or clash', async (t) => {
  const { open } = await testPostgres(t);
  const [one, two] = await Promise.all([PgShadowStore.open(await open()), PgShadowStore.open(await open())]);
  const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).createRun(newRun(i % 3))));
  assert.deepEqual([...runs].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  const dangling = await Promise.all([one.stopDangling(5, 'crash'), two.stopDangling(6, 'crash')]);
  assert.equal(dangling[0].length + dangling[1].length, 20, 'each dangling run is stopped by one node only');
});

test('PgShadowStore: the tables have the columns of shadow.db, nothing more (no event, nothing to seal)', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await PgShadowStore.open(p);
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgshadow-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  new SqliteShadowStore(dir).close();
  const lite = new BetterSqlite3(join(dir, SHADOW_DB_FILE), { readonly: true });
  try {
    for (const table of ['shadow_runs', 'shadow_decisions']) {
      const want = (lite.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();
      const have = (await p.pool.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [p.schema, table],
      )).rows.map((c) => c.column_name).sort();
      assert.deepEqual(have, want, table);
    }
  } finally {
    lite.close();
  }
  const r = await s.createRun(newRun(2));
  await s.batch(r, 2, [record(3)], null);
  const raw = (await p.pool.query('SELECT tx_id, amount, live_reasons, shadow_reasons, label FROM shadow_decisions')).rows;
  assert.deepEqual(raw, [{ tx_id: 'tx-3', amount: '300', live_reasons: '["R1"]', shadow_reasons: '["R7","R1"]', label: false }], 'stored as SQLite stores them: clear, reasons as JSON text');
});
