// One engine's decisions on two nodes (issue 14, "Done when"): a simulated world's stream fed to two
// `fengkong serve` cluster nodes alternately, one request at a time, gets exactly the decisions —
// outcome, score, reasons, policy — `fengkong replay` makes of the same events. Then every decision
// is readable by id from either node, and the PostgreSQL projection holds the whole journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { schemaOf } from '../../../src/store/postgres/pool.js';
import { call } from '../../server/helpers.js';
import { assertAsReplay, ownerAndFollower, simulatedWorld, testCluster, until, type Answer } from './nodes.js';

test('two nodes fed one stream alternately decide every payment as fengkong replay does', { timeout: 240_000 }, async (t) => {
  const c = await testCluster(t);
  const { a, b } = await ownerAndFollower(t, c);

  const { events, lines } = simulatedWorld(c, 11, 120, 3);
  const answered = new Map<string, Answer>();
  const byNode = { A: 0, B: 0 };
  for (let i = 0; i < lines.length; i++) {
    const node = i % 2 === 0 ? a : b;
    const ev = JSON.parse(lines[i]) as { type: string; id?: string };
    const r = await call(node.url, ev.type === 'transaction' ? '/v1/decisions' : '/v1/events', { key: c.key, body: lines[i] });
    assert.ok(r.status === 200 || r.status === 202, `event ${i + 1} (${ev.type}) on node ${node.id}: ${r.status} ${r.text}`);
    if (ev.type === 'transaction') {
      answered.set(ev.id!, r.json as Answer);
      byNode[node.id as 'A' | 'B']++;
    }
  }
  assert.ok(byNode.A > 100 && byNode.B > 100, `both nodes answered payments: ${JSON.stringify(byNode)}`);

  const flagged = assertAsReplay(c, events, answered);
  assert.ok(flagged > 20, `the stream exercises the rules (${flagged} payments not approved)`);

  // every decision readable by id from both nodes, byte for byte as answered
  const ids = [...answered.keys()];
  for (const id of ids.filter((_, i) => i % 7 === 0)) {
    for (const n of [a, b]) {
      const r = await call(n.url, `/v1/decisions/${encodeURIComponent(id)}`, { key: c.key });
      assert.equal(r.status, 200, `${id} on ${n.id}: ${r.text}`);
      assert.deepEqual(r.json, answered.get(id));
    }
  }

  // a retry through the other node (forwarded where it was local, local where it was forwarded) is
  // the same payment: its stored answer, replayed, never an idempotency conflict or a second decision
  let retried = 0;
  for (let i = 0; i < lines.length && retried < 30; i++) {
    const ev = JSON.parse(lines[i]) as { type: string; id?: string };
    if (ev.type !== 'transaction') continue;
    const other = i % 2 === 0 ? b : a;
    const r = await call(other.url, '/v1/decisions', { key: c.key, body: lines[i] });
    assert.equal(r.status, 200, `${ev.id} retried on ${other.id}: ${r.text}`);
    assert.equal(r.headers['fengkong-replayed'], 'true', `${ev.id} retried on ${other.id}`);
    assert.deepEqual(r.json, answered.get(ev.id!));
    retried++;
  }

  // the nodes' projectors wrote the whole journal into PostgreSQL, every entry once
  const db = new pg.Client({ connectionString: c.postgres });
  await db.connect();
  try {
    const count = async (): Promise<number> => Number((await db.query(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(schemaOf(c.cluster))}.journal`)).rows[0].n);
    await until('the projection to hold every entry', async () => (await count()) === lines.length);
  } finally {
    await db.end();
  }
});
