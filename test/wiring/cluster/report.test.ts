// `fengkong report` and `fengkong backtest` on a running cluster: a simulated world fed to a real
// `fengkong serve --nats --postgres` node, whose projector writes the journal into PostgreSQL, then
// both commands run with --postgres beside the node and must say what they say of the same world
// decided by an embedded server in a data folder (--data), timing and cases aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { schemaOf } from '../../../src/store/postgres/pool.js';
import { feed } from '../../server/helpers.js';
import { cli, comparable, draftDir, range, theWorld } from '../../cli/history-world.js';
import { roleOf, startNode, testCluster, until } from './nodes.js';

test('report and backtest of a cluster node fed a world equal those of a data folder fed the same world', { timeout: 240_000 }, async (t) => {
  const w = await theWorld();
  const c = await testCluster(t);
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  await feed(a.url, c.key, w.events);

  const db = new pg.Client({ connectionString: c.postgres });
  await db.connect();
  try {
    const count = async (): Promise<number> => Number((await db.query(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(schemaOf(c.cluster))}.journal`)).rows[0].n);
    await until('the projection to hold every entry', async () => (await count()) === w.entries.length);
  } finally {
    await db.end();
  }

  const { from, to } = range(w);
  const where = ['--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile];
  const window = ['--from', String(from), '--to', String(to)];
  const onData = cli(['report', '--data', w.data, ...window, '--format', 'json', '--out', '-', '--quiet']);
  const onCluster = cli(['report', ...where, ...window, '--format', 'json', '--out', '-', '--quiet']);
  assert.equal(onData.status, 0, onData.stderr);
  assert.equal(onCluster.status, 0, onCluster.stderr);
  const x = JSON.parse(onData.stdout) as { totals: { payments: number }; cases: unknown };
  const y = JSON.parse(onCluster.stdout) as { cases: unknown };
  assert.ok(x.totals.payments > 100, `payments in the range (${x.totals.payments})`);
  assert.deepEqual(comparable({ ...y, cases: null }), comparable({ ...x, cases: null }));

  const draft = draftDir(w);
  const btData = cli(['backtest', '--data', w.data, '--policy', draft, ...window, '--out', '-', '--quiet']);
  const btCluster = cli(['backtest', ...where, '--policy', draft, ...window, '--out', '-', '--quiet']);
  assert.equal(btData.status, 0, btData.stderr);
  assert.equal(btCluster.status, 0, btCluster.stderr);
  const p = JSON.parse(btData.stdout) as { run: { transactions: number }; changed: { total: number } };
  assert.ok(p.run.transactions > 100 && p.changed.total > 0, `payments compared (${p.run.transactions}), some changed (${p.changed.total})`);
  assert.deepEqual(comparable(JSON.parse(btCluster.stdout)), comparable(p));
});
