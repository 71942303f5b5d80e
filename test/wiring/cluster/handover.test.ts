// A planned handover (a rolling upgrade): SIGTERM of the owner under load finishes what it has in
// flight, exits 0 and releases the partition's lease, so the other node takes over without waiting
// for the lease to expire — measured from the signal to the survivor's first answer. Every answered
// decision is on the survivor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tx } from '../../engine/world.js';
import { call } from '../../server/helpers.js';
import { roleOf, startNode, testCluster, until, type Node } from './nodes.js';

test('SIGTERM of the owner hands the partition over in well under the lease TTL, losing nothing', { timeout: 120_000 }, async (t) => {
  const c = await testCluster(t);
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const b = await startNode(t, c, 'B');
  await until('node B following', async () => (await roleOf(b, c.key)) === 'following');
  const answered = new Map<string, { body: string; at: number; node: string }>();
  let stopAt = 0;
  let stop = false;
  const load = async (n: Node, w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const body = tx(w * 100_000 + i * 1000, { id: `h-${n.id}-${w}-${i}`, accountId: `H${w}` });
      try {
        const r = await call(n.url, '/v1/decisions', { key: c.key, body });
        if (r.status === 200) answered.set(body.id as string, { body: r.text, at: performance.now(), node: n.id });
        else if (r.status !== 503) throw new Error(`unexpected ${r.status}: ${r.text}`);
      } catch (e) {
        if ((e as Error).message.startsWith('unexpected')) throw e;
        return; // A closed its connections: it is gone
      }
    }
  };
  const running = [load(a, 1), load(b, 2), load(b, 3)];
  await until('300 answers', () => answered.size >= 300, 30_000);
  a.proc.kill('SIGTERM');
  stopAt = performance.now();
  const exit = await a.exited;
  const exitAt = performance.now();
  assert.equal(exit.code, 0, a.stderr());
  // until A exited it still answered what B forwarded; from then on only B can decide
  await until('the survivor to answer after the owner exited', () => [...answered.values()].some((x) => x.node === 'B' && x.at > exitAt), 10_000);
  const first = Math.min(...[...answered.values()].filter((x) => x.node === 'B' && x.at > exitAt).map((x) => x.at));
  t.diagnostic(`handover: A drained and exited ${(exitAt - stopAt).toFixed(0)} ms after SIGTERM; B answered ${(first - exitAt).toFixed(0)} ms after that (lease TTL 3000 ms)`);
  assert.ok(first - exitAt < 800, `at once on the release, not at the next periodic attempt (1 s) or the lease expiry (3 s) (${(first - exitAt).toFixed(0)} ms)`);
  stop = true;
  await Promise.all(running);
  assert.equal(await roleOf(b, c.key), 'owning');
  for (const [id, x] of answered) {
    const r = await call(b.url, `/v1/decisions/${encodeURIComponent(id)}`, { key: c.key });
    assert.equal(r.text, x.body, id);
  }
});
