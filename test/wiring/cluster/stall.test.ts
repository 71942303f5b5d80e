// A stalled owner (SIGSTOP: what a long GC pause or a frozen VM looks like from outside) loses its
// lease; the other node takes the partition over and answers. When the stalled node wakes (SIGCONT)
// with requests waiting on its sockets, it may still believe it owns the partition for a moment:
// what it decides then is refused by the journal's expected-sequence fence and answered 503, never
// 200; once it knows the lease is gone it forwards to the new owner. Either way every 200 from
// either node is in the journal, readable from both byte for byte, and a retry is replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tx } from '../../engine/world.js';
import { call } from '../../server/helpers.js';
import { roleOf, startNode, testCluster, until, type Node } from './nodes.js';

function payment(tag: string, i: number): Record<string, unknown> {
  return tx(i * 1_000, { id: `${tag}-${i}`, accountId: `S${i % 4}`, amount: 1_000 + (i % 40) * 500 });
}

test('a stalled owner is fenced: its late decisions are refused, not answered, and it follows the new owner', { timeout: 240_000 }, async (t) => {
  const c = await testCluster(t, 1500);
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const b = await startNode(t, c, 'B');
  await until('node B following', async () => (await roleOf(b, c.key)) === 'following');
  const answered = new Map<string, string>();
  const post = async (n: Node, body: Record<string, unknown>): Promise<number> => {
    const r = await call(n.url, '/v1/decisions', { key: c.key, body });
    if (r.status === 200) answered.set(body.id as string, r.text);
    return r.status;
  };
  for (let i = 0; i < 50; i++) assert.equal(await post(a, payment('before', i)), 200);

  // A freezes with requests on its sockets: they are read, decided and appended only when it wakes
  a.proc.kill('SIGSTOP');
  const frozen = Array.from({ length: 20 }, (_, i) => post(a, payment('frozen', i)).catch(() => 0));
  const took = await until('node B owning the partition', async () => (await roleOf(b, c.key)) === 'owning', 20_000);
  t.diagnostic(`B owned the partition ${took} ms after A stopped`);
  for (let i = 0; i < 50; i++) assert.equal(await post(b, payment('during', i)), 200);
  a.proc.kill('SIGCONT');
  const frozenStatus = await Promise.all(frozen);
  t.diagnostic(`requests A held while frozen: ${frozenStatus.filter((s) => s === 200).length} answered 200, ${frozenStatus.filter((s) => s === 503).length} answered 503`);
  for (const s of frozenStatus) assert.ok(s === 200 || s === 503, `a frozen request is answered 200 (durable) or 503 (refused), got ${s}`);
  await until('node A following again', async () => (await roleOf(a, c.key)) === 'following', 20_000);
  t.diagnostic(a.stderr().split('\n').filter((l) => /partition 0/.test(l)).join(' / '));

  // both nodes serve again: A forwards to B
  for (let i = 0; i < 20; i++) assert.equal(await post(i % 2 === 0 ? a : b, payment('after', i)), 200);
  // every 200 is on both nodes, byte for byte; a refused one may be retried and is then decided once
  for (const [id, body] of answered) {
    for (const n of [a, b]) {
      const r = await call(n.url, `/v1/decisions/${encodeURIComponent(id)}`, { key: c.key });
      assert.equal(r.status, 200, `${id} on ${n.id}: ${r.text}`);
      assert.equal(r.text, body, `${id} on ${n.id}`);
    }
  }
  for (let i = 0; i < 20; i++) {
    const r = await call(b.url, '/v1/decisions', { key: c.key, body: payment('frozen', i) });
    assert.equal(r.status, 200, r.text);
    const before = answered.get(`frozen-${i}`);
    if (before !== undefined) {
      assert.equal(r.headers['fengkong-replayed'], 'true', `frozen-${i} was answered before: its retry is replayed`);
      assert.equal(r.text, before);
    }
  }
});
