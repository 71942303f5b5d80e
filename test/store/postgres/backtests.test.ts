// The PostgreSQL backtest store: the shared BacktestStore contract on a fresh database per test, then
// what is the cluster's own: two nodes requesting runs at once get distinct ids 1, 2, 3, … in request
// order, and two nodes moving one run at once (finish against cancel, start against start) leave one
// consistent final state — the late transition changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BacktestReport } from '../../../src/policy/backtest-report.js';
import { summarize, type BacktestFailure, type BacktestParams } from '../../../src/policy/backtest-store.js';
import { PgBacktestStore } from '../../../src/store/postgres/backtests.js';
import type { PgCluster } from '../../../src/store/postgres/pool.js';
import { backtestsContract } from '../contract/backtests.js';
import { pgHarness } from './contract-harness.js';
import { testPostgres } from './harness.js';

backtestsContract('PgBacktestStore', pgHarness(async ({ pg }) => ({ port: await PgBacktestStore.open(pg) })));

const PARAMS: BacktestParams = { from: 1_700_000_000_000, to: 1_700_086_400_000, warmUpDays: 30, maxChanged: null };
const CANCEL: BacktestFailure = { message: 'the server shut down before this backtest finished', code: null };

function report(transactions: number): BacktestReport {
  const side = { alertRate: 0.1, precision: null, recall: 0.5, fraud: { caught: 1, missedAmount: 10 }, legitimate: { declined: 0 } };
  return { run: { transactions, durationMs: 7 }, changed: { total: 0, list: [] }, labels: { fraud: 2 }, live: side, draft: side } as unknown as BacktestReport;
}

/** Two nodes on one fresh database, each with its own pool and store. */
async function twoNodes(t: Parameters<typeof testPostgres>[0]): Promise<{ pools: PgCluster[]; one: PgBacktestStore; two: PgBacktestStore }> {
  const { open } = await testPostgres(t);
  const pools = await Promise.all([open(), open(), open()]);
  const [one, two] = await Promise.all([PgBacktestStore.open(pools[0]), PgBacktestStore.open(pools[1])]);
  return { pools, one, two };
}

/**
 * Runs `moves` while another connection holds run `id`'s row lock, released once every move waits
 * on it: the moves then meet at the row at once, as two nodes' transitions racing would.
 */
async function atOnce(locker: PgCluster, id: number, moves: (() => Promise<unknown>)[]): Promise<void> {
  const c = await locker.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT id FROM policy_backtests WHERE id = $1 FOR UPDATE', [id]);
    const running = moves.map((m) => m());
    for (let waiting = 0; waiting < moves.length;) {
      await new Promise((r) => setTimeout(r, 5));
      const r = await locker.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE policy_backtests%'");
      waiting = Number(r.rows[0]?.n ?? 0);
    }
    await c.query('COMMIT');
    await Promise.all(running);
  } finally {
    c.release();
  }
}

test('PgBacktestStore: two nodes requesting runs at once get distinct ids 1, 2, 3, … without a gap, in request order', async (t) => {
  const { one, two } = await twoNodes(t);
  const runs = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? one : two).create(i % 3, PARAMS, `key_${i}`)));
  assert.deepEqual(runs.map((r) => r.id).sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i + 1));
  const byId = [...runs].sort((a, b) => a.id - b.id);
  for (let i = 1; i < byId.length; i++) assert.ok(byId[i].requestedAt >= byId[i - 1].requestedAt, 'numbered in the order they were recorded');
  for (const r of runs) assert.deepEqual(await two.get(r.id), r, 'every run readable from the other node as recorded');
  assert.equal((await one.create(0, PARAMS, 'after')).id, 25);
  assert.equal(await one.get(2 ** 40), undefined, 'an id beyond 32 bits is unknown, not an error');
  assert.deepEqual(await one.list(0, { before: Number.MAX_SAFE_INTEGER, limit: 1 }), [await one.get(25)]);
});

test('PgBacktestStore: finish on one node against cancel on the other leaves one consistent final state', async (t) => {
  const { pools, one, two } = await twoNodes(t);
  for (let i = 0; i < 6; i++) {
    const { id } = await one.create(1, PARAMS, 'k');
    await two.start(id);
    const finishFirst = i % 2 === 0;
    await atOnce(pools[2], id, finishFirst
      ? [() => one.finish(id, report(i)), () => two.end(id, 'cancelled', CANCEL)]
      : [() => two.end(id, 'cancelled', CANCEL), () => one.finish(id, report(i))]);
    const [a, b] = [await one.get(id), await two.get(id)];
    assert.deepEqual(a, b, 'both nodes read the same run');
    if (a?.state === 'done') {
      assert.deepEqual([a.error, a.summary], [null, summarize(report(i))]);
      assert.deepEqual(await two.report(id), report(i));
    } else {
      assert.deepEqual([a?.state, a?.error, a?.summary], ['cancelled', CANCEL, null]);
      assert.equal(await two.report(id), null);
    }
    assert.equal(typeof a?.finishedAt, 'number');
  }
});

test('PgBacktestStore: start against start, and cancelOpen against finish, from two nodes: one applies, the other changes nothing', async (t) => {
  const { pools, one, two } = await twoNodes(t);
  const { id } = await one.create(1, PARAMS, 'k');
  await atOnce(pools[2], id, [() => one.start(id), () => two.start(id)]);
  const started = await one.get(id);
  assert.equal(started?.state, 'running');
  let cancelled = -1;
  await atOnce(pools[2], id, [async () => (cancelled = await two.cancelOpen('node two stopping')), () => one.finish(id, report(3))]);
  const end = (await one.get(id))!;
  assert.equal(end.startedAt, started?.startedAt, 'started once');
  if (end.state === 'done') assert.deepEqual([cancelled, end.error, await one.report(id)], [0, null, report(3)]);
  else assert.deepEqual([cancelled, end.state, end.error, end.summary, await one.report(id)], [1, 'cancelled', { message: 'node two stopping', code: null }, null, null]);
});
