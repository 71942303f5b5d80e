// Several partitions (docs/scale-out.md, "Partitions" and "What is shared across partitions"): a
// cluster created with `--partitions 3` spreads its partitions over two `fengkong serve` nodes, each
// owning and deciding some; one simulated stream fed to the nodes alternately, one request at a time,
// gets exactly the decisions `fengkong replay` makes of it — merchant, terminal, device and IP
// windows included, though the payments feeding them were decided on other partitions. Then
// `kill -9` of one node under load on both: nothing answered is lost, the survivor takes every
// partition over, and a retry anywhere is the stored answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf } from '../../../src/engine/partition-of.js';
import { tx } from '../../engine/world.js';
import { call } from '../../server/helpers.js';
import { assertAsReplay, simulatedWorld, startNode, testCluster, until, type Answer, type Node } from './nodes.js';

/** The partitions node `n` owns, as its /healthz tells. */
async function owned(n: Node, key: string): Promise<number[]> {
  const h = await call(n.url, '/healthz', { key });
  return ((h.json as { partitions?: { partition: number; role: string }[] }).partitions ?? []).filter((p) => p.role === 'owning').map((p) => p.partition);
}

/** A and B started on a new cluster of `P` partitions, with the partitions spread over both. */
async function spread(t: Parameters<typeof testCluster>[0], P: number): Promise<{ c: Awaited<ReturnType<typeof testCluster>>; a: Node; b: Node }> {
  const c = await testCluster(t, 1500);
  const a = await startNode(t, c, 'A', ['--partitions', String(P)]);
  await until(`node A owning all ${P} partitions`, async () => (await owned(a, c.key)).length === P);
  const b = await startNode(t, c, 'B');
  await until('the partitions spread over both nodes', async () => {
    const [x, y] = [await owned(a, c.key), await owned(b, c.key)];
    return x.length > 0 && y.length > 0 && x.length + y.length === P;
  });
  return { c, a, b };
}

test('three partitions on two nodes decide one stream fed alternately as fengkong replay does', { timeout: 300_000 }, async (t) => {
  const { c, a, b } = await spread(t, 3);
  const { events, lines } = simulatedWorld(c, 11, 120, 3);
  const answered = new Map<string, Answer>();
  const byPartition = [0, 0, 0];
  for (let i = 0; i < lines.length; i++) {
    const node = i % 2 === 0 ? a : b;
    const ev = JSON.parse(lines[i]) as { type: string; id?: string; accountId?: string };
    const r = await call(node.url, ev.type === 'transaction' ? '/v1/decisions' : '/v1/events', { key: c.key, body: lines[i] });
    assert.ok(r.status === 200 || r.status === 202, `event ${i + 1} (${ev.type}) on node ${node.id}: ${r.status} ${r.text}`);
    if (ev.type === 'transaction') {
      answered.set(ev.id!, r.json as Answer);
      byPartition[partitionOf(ev.accountId!, 3)]++;
    }
  }
  assert.ok(byPartition.every((n) => n > 50), `every partition decided payments: ${byPartition.join(', ')}`);

  const flagged = assertAsReplay(c, events, answered);
  assert.ok(flagged > 20, `the stream exercises the rules (${flagged} payments not approved)`);

  // a decision is found by id on either node, whichever partition holds it
  for (const id of [...answered.keys()].filter((_, i) => i % 11 === 0)) {
    for (const n of [a, b]) {
      const r = await call(n.url, `/v1/decisions/${encodeURIComponent(id)}`, { key: c.key });
      assert.equal(r.status, 200, `${id} on ${n.id}: ${r.text}`);
      assert.deepEqual(r.json, answered.get(id));
    }
  }
  const none = await call(a.url, '/v1/decisions/never-decided', { key: c.key });
  assert.equal(none.status, 404, none.text);
  // a reversal is refused by a cluster for now, naming the field, rather than taken and left undone
  const rev = await call(b.url, '/v1/events', { key: c.key, body: { type: 'account_event', ts: '2026-11-01T10:00:00+08:00', accountId: 'batch-1', kind: 'reversal', txId: 'x' } });
  assert.equal(rev.status, 400, rev.text);
  assert.match(rev.text, /a cluster does not take reversals yet/);
  // what followers hold for their partitions' next entries is on /metrics, per partition
  const metrics = await call(a.url, '/metrics', { key: c.key });
  for (const p of [0, 1, 2]) assert.match(metrics.text, new RegExp(`^fengkong_partition_waiting_messages\\{partition="${p}"\\} \\d+$`, 'm'));

  // a batch of events spanning partitions: each part journaled in its partition, answered once all are
  const ids = ['batch-1', 'batch-2', 'batch-3', 'batch-4', 'batch-5', 'batch-6'];
  assert.ok(new Set(ids.map((id) => partitionOf(id, 3))).size > 1, 'the batch spans partitions');
  const batch = ids.map((id) => ({ type: 'account', ts: '2026-11-01T10:00:00+08:00', accountId: id, creditLimit: 1_000_000, kyc: 'full' }));
  const r = await call(b.url, '/v1/events', { key: c.key, body: JSON.stringify(batch) });
  assert.equal(r.status, 202, r.text);
  assert.equal((r.json as { accepted: number }).accepted, ids.length);
  // every node's engine of the account's partition (owned, or followed a moment behind) knows it
  for (const id of ids) {
    for (const n of [a, b]) await until(`${id} known on ${n.id}`, async () => (await call(n.url, `/v1/accounts/${id}`, { key: c.key })).status === 200, 5_000);
  }
});

function payment(node: string, w: number, i: number): Record<string, unknown> {
  // accounts spread over the partitions, merchants and devices shared by all of them
  return tx(w * 60_000 + i * 1_000, { id: `${node}-${w}-${i}`, accountId: `C${(w * 7 + i) % 9}`, deviceId: `D${i % 3}`, amount: 1_000 + ((w * 31 + i * 17) % 50) * 1_000 });
}

test('kill -9 of one node under load on both loses no answered decision; the survivor owns every partition', { timeout: 300_000 }, async (t) => {
  const { c, a, b } = await spread(t, 3);
  const answered = new Map<string, string>();
  let killedAt = 0;
  let afterKill = 0;
  const run = (n: Node, stop: () => boolean): Promise<void> =>
    Promise.all(
      Array.from({ length: 3 }, async (_, w) => {
        for (let i = 0; !stop(); i++) {
          const body = payment(n.id, w, i);
          try {
            const r = await call(n.url, '/v1/decisions', { key: c.key, body });
            if (r.status === 200) {
              answered.set(body.id as string, r.text);
              if (killedAt > 0) afterKill++;
            } else if (r.status === 503) await new Promise((res) => setTimeout(res, 50));
            else throw new Error(`unexpected ${r.status}: ${r.text}`);
          } catch (e) {
            if ((e as Error).message.startsWith('unexpected')) throw e;
            return; // the connection was cut: this node is gone
          }
        }
      }),
    ).then(() => undefined);
  const onA = run(a, () => killedAt > 0);
  const onB = run(b, () => (killedAt > 0 && afterKill >= 200) || (killedAt > 0 && performance.now() - killedAt > 40_000));
  await until('400 payments answered before the kill', () => answered.size >= 400, 90_000);
  const ofA = await owned(a, c.key);
  a.proc.kill('SIGKILL');
  killedAt = performance.now();
  await a.exited;
  // what A owned is taken over within 10 s (a lease TTL of 1.5 s here, 3 s by default)
  const takeoverMs = await until('B owning all 3 partitions', async () => (await owned(b, c.key)).length === 3, 30_000);
  await Promise.all([onA, onB]);
  t.diagnostic(`answered: ${answered.size}, ${afterKill} after the kill; B took partitions ${ofA.join(', ')} over in ${takeoverMs} ms`);
  assert.ok(takeoverMs < 10_000, `took ${takeoverMs} ms`);
  assert.ok(afterKill >= 200, `the survivor kept answering (${afterKill} after the kill)`);

  for (const [id, body] of answered) {
    const r = await call(b.url, `/v1/decisions/${encodeURIComponent(id)}`, { key: c.key });
    assert.equal(r.status, 200, `${id}: ${r.text}`);
    assert.equal(r.text, body, id);
  }
  const some = [...answered.keys()].find((id) => id.startsWith('A-'))!;
  const [node, w, i] = some.split('-');
  const retry = await call(b.url, '/v1/decisions', { key: c.key, body: payment(node, Number(w), Number(i)) });
  assert.equal(retry.status, 200);
  assert.equal(retry.headers['fengkong-replayed'], 'true');
  assert.equal(retry.text, answered.get(some));
});
