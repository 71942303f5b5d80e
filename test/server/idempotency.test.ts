// The transaction id is the idempotency key: the same id with the same payment again returns the
// stored decision, is not applied again, and is not counted twice in any window; the same id with
// another payment is refused (409 idempotency_conflict), as Stripe refuses a reused idempotency key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { baseWorld, HOUR, MIN, tx } from '../engine/world.js';
import { call, feed, journalSeq, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ journal: 'thread' }); // the API tests use the default (auto) mode
  await feed(s.url, s.keys.admin, baseWorld());
});
after(async () => {
  await s.close();
});

const T = 10 * HOUR;
const codes = (body: { reasons: { code: string }[] }): string[] => body.reasons.map((r) => r.code);

test('a repeated id is one payment: SMALL_PAYMENT_BURST (5 under ¥50 in 10 min) sees 4 at the 5th request', async () => {
  const small = (i: number) => tx(T + i * MIN, { id: `burst-${i}`, amount: 2_000 });
  const post = (body: unknown) => call(s.url, '/v1/decisions', { key: s.keys.decide, body });
  const p1 = await post(small(1));
  const p2 = await post(small(2));
  const p3 = await post(small(3));
  const seq = await journalSeq(s.url, s.keys.analyst);
  // the same payment again (a POS retry, its fields in another order): the stored answer, nothing applied
  const again = await post(Object.fromEntries(Object.entries(small(3)).reverse()));
  assert.equal(again.status, 200);
  assert.equal(again.text, p3.text);
  assert.equal(again.headers['fengkong-replayed'], 'true');
  // the same id with another payment: 409 naming what differs, nothing applied, the first answer kept
  const changed = await post({ ...small(3), amount: 999_999, deviceId: 'D7' });
  assert.equal(changed.status, 409, changed.text);
  assert.equal(changed.json.error.code, 'idempotency_conflict');
  assert.match(changed.json.error.message, /amount, deviceId/);
  assert.equal(changed.json.error.path, 'amount');
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq, 'neither a replay nor a conflict is journaled');
  // 5th request, 4th payment: were the retries counted the window would hold 5+ and the rule would fire
  const p4 = await post(small(4));
  assert.ok(!codes(p4.json).includes('SMALL_PAYMENT_BURST'), `4 payments must not fire: ${p4.text}`);
  const p5 = await post(small(5));
  assert.ok(codes(p5.json).includes('SMALL_PAYMENT_BURST'), `the 5th payment fires: ${p5.text}`);
  for (const p of [p1, p2, p3]) assert.ok(!codes(p.json).includes('SMALL_PAYMENT_BURST'));
  const stored = await call(s.url, '/v1/decisions/burst-3', { key: s.keys.analyst });
  assert.equal(stored.text, p3.text);
});

test('an id reused with another body in the same tick is refused too (the first may still be on its way to disk)', async () => {
  const seq = await journalSeq(s.url, s.keys.analyst);
  const body = tx(T + 2 * HOUR, { id: 'pending-1', amount: 30_000 });
  // both requests go out at once: the second finds the first in the batch not yet committed
  const [first, other] = await Promise.all([
    call(s.url, '/v1/decisions', { key: s.keys.decide, body }),
    call(s.url, '/v1/decisions', { key: s.keys.decide, body: { ...body, amount: 31_000 } }),
  ]);
  const answers = [first, other].sort((a, b) => a.status - b.status);
  assert.deepEqual(answers.map((a) => a.status), [200, 409], answers.map((a) => a.text).join('\n'));
  assert.equal(answers[1].json.error.code, 'idempotency_conflict');
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq + 1, 'one payment journaled');
});

test('the same new id sent concurrently is decided once; every answer is the same', async () => {
  const seq = await journalSeq(s.url, s.keys.analyst);
  const body = tx(T + HOUR, { id: 'concurrent-1', amount: 30_000 });
  const answers = await Promise.all(Array.from({ length: 8 }, () => call(s.url, '/v1/decisions', { key: s.keys.decide, body })));
  for (const a of answers) {
    assert.equal(a.status, 200);
    assert.equal(a.text, answers[0].text);
  }
  assert.equal(answers.filter((a) => a.headers['fengkong-replayed'] !== 'true').length, 1, 'one fresh decision');
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq + 1);
});

test('replays are not counted as new decisions in the metrics', async () => {
  const total = async (): Promise<number> => {
    const m = (await call(s.url, '/metrics', { key: s.keys.admin })).text;
    return [...m.matchAll(/fengkong_decisions_total\{outcome="\w+"\} (\d+)/g)].reduce((a, x) => a + Number(x[1]), 0);
  };
  const before = await total();
  const body = tx(T + 2 * HOUR, { id: 'metric-once' });
  await call(s.url, '/v1/decisions', { key: s.keys.decide, body });
  await call(s.url, '/v1/decisions', { key: s.keys.decide, body });
  assert.equal((await total()) - before, 1);
});

test('concurrent decisions share journal commits (group commit, writer thread)', async () => {
  const metric = async (name: string): Promise<number> => {
    const m = (await call(s.url, '/metrics', { key: s.keys.admin })).text;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(m)?.[1] ?? NaN);
  };
  const commits0 = await metric('fengkong_journal_batch_size_count');
  const entries0 = await metric('fengkong_journal_batch_size_sum');
  const n = 64;
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(5 * HOUR + i * 1000, { id: `gc-${i}`, accountId: `G${i}` }) }),
    ),
  );
  for (const a of answers) assert.equal(a.status, 200);
  const commits = (await metric('fengkong_journal_batch_size_count')) - commits0;
  const entries = (await metric('fengkong_journal_batch_size_sum')) - entries0;
  assert.equal(entries, n);
  assert.ok(commits < n, `${n} decisions took ${commits} commits`);
});
