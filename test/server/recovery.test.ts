// A restart changes no later decision: the engine rebuilds its state from the journal, so a server
// restarted halfway decides exactly like one that never stopped, on the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, MIN, tx, at, DAY } from '../engine/world.js';
import { addAdmin, defaultFiles, publish } from '../policy/helpers.js';
import { call, feed, journalSeq, stable, startTestServer, type Answer } from './helpers.js';

/** A day of mixed traffic whose windows straddle the restart point. */
function traffic(): Record<string, unknown>[] {
  const T = 10 * HOUR;
  const ev: Record<string, unknown>[] = [];
  for (let i = 0; i < 8; i++) ev.push(tx(T + i * MIN, { id: `r-small-${i}`, amount: 1_500 + i * 100 }));
  ev.push({ type: 'account_event', ts: at(T + 20 * MIN), accountId: 'A1', kind: 'password_reset', deviceId: 'D9' });
  for (let i = 0; i < 6; i++) ev.push(tx(T + 30 * MIN + i * 5 * MIN, { id: `r-big-${i}`, amount: 150_000 + i * 1_000, deviceId: i % 2 ? 'D9' : 'D1' }));
  for (let i = 0; i < 6; i++) ev.push(tx(T + 2 * HOUR + i * 10 * MIN, { id: `r-m2-${i}`, merchantId: 'M2', terminalId: 'T2', mcc: '5944', merchantName: '深圳珠宝行', amount: 300_000 }));
  ev.push(tx(T + DAY, { id: 'r-next-day', amount: 50_000 }));
  return ev;
}

test('decisions after restarts equal those of a server that never restarted', async () => {
  const world = baseWorld();
  const inputs = [...world, ...traffic()];
  // restart in the middle of the small-payment burst, and between the password reset and the payments after it
  const cuts = [world.length + 3, world.length + 9, inputs.length];

  // A: never restarts
  const a = await startTestServer();
  const ansA = await feed(a.url, a.keys.admin, inputs);
  await a.close();

  // B: restarts at every cut, on the same data folder
  let b = await startTestServer();
  const ansB: Answer[] = [];
  const beforeRestart: Answer[] = [];
  let from = 0;
  try {
    for (let c = 0; c < cuts.length; c++) {
      const part = await feed(b.url, b.keys.admin, inputs.slice(from, cuts[c]));
      ansB.push(...part);
      from = cuts[c];
      if (c === cuts.length - 1) break;
      beforeRestart.push(...part);
      const seqBefore = await journalSeq(b.url, b.keys.analyst);
      await b.close(true);
      b = await startTestServer({ dir: b.dir, keys: b.keys });
      assert.equal(b.server.recovery.events, seqBefore, 'every journaled event was replayed');
      assert.equal(b.server.recovery.changedDecisions, 0);
      assert.equal(await journalSeq(b.url, b.keys.analyst), seqBefore);
    }
    assert.equal(ansB.length, ansA.length);
    for (let i = 0; i < ansA.length; i++) {
      assert.deepEqual(stable(ansB[i].json), stable(ansA[i].json), `decision ${i} (${ansA[i].json.txId})`);
    }
    // the state really carried across: rules that need pre-restart history fired after a restart
    const fired = (id: string, code: string): boolean =>
      ansB.find((r) => r.json.txId === id)?.json.reasons.some((x: { code: string }) => x.code === code) ?? false;
    assert.ok(fired('r-small-4', 'SMALL_PAYMENT_BURST'), 'burst of 5 across the first restart');
    assert.ok(fired('r-big-1', 'NEW_DEVICE_AFTER_PASSWORD_RESET'), 'reset before the second restart, new device after');
    // answers given before a restart are still served, byte for byte
    for (const r of beforeRestart) {
      const got = await call(b.url, `/v1/decisions/${encodeURIComponent(r.json.txId)}`, { key: b.keys.analyst });
      assert.equal(got.text, r.text);
    }
    // and re-posting one of them replays it instead of deciding it again
    const first = beforeRestart[0];
    const again = await call(b.url, '/v1/decisions', { key: b.keys.decide, body: inputs.find((e) => e.id === first.json.txId) });
    assert.equal(again.text, first.text);
  } finally {
    await b.close();
  }
});

test('a second server on the same data folder is refused', async () => {
  const a = await startTestServer();
  try {
    await assert.rejects(startTestServer({ dir: a.dir, keys: a.keys }), /in use/);
    const r = await call(a.url, '/healthz');
    assert.equal(r.status, 200);
  } finally {
    await a.close();
  }
});

test('a restart across a policy publication rebuilds the state the answers made, not what today\'s policy would decide', async () => {
  // version 2 declines any payment of ¥10,000 or more. A2 (¥20,000 limit) pays ¥15,000 under version
  // 1 and is not declined: ¥15,000 of its credit is used. Re-deciding that payment with version 2 at
  // a restart would decline it and give the credit back; the answer says otherwise.
  const v2 = { ...defaultFiles(), '70-big.fk': 'rule BIG_DECLINE\n  when amount >= ¥10000\n  outcome decline\n  reason BIG_DECLINE\n' };
  const big = tx(10 * HOUR, { id: 'x-big', accountId: 'A2', amount: 1_500_000 });
  const next = tx(11 * HOUR, { id: 'x-next', accountId: 'A2', amount: 800_000 });
  const run = async (restart: boolean): Promise<Answer> => {
    let s = await startTestServer();
    try {
      await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
      const first = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: big });
      assert.notEqual(first.json.outcome, 'decline', first.text);
      await publish(s, s.keys.admin, addAdmin(s.dir), v2, 'decline big payments');
      if (restart) {
        await s.close(true);
        s = await startTestServer({ dir: s.dir, keys: s.keys });
        assert.equal(s.server.recovery.changedDecisions, 1, 'the replay under version 2 differs, and is reported');
      }
      return await call(s.url, '/v1/decisions', { key: s.keys.decide, body: next });
    } finally {
      await s.close();
    }
  };
  const never = await run(false);
  const restarted = await run(true);
  assert.equal(never.json.outcome, 'decline', never.text);
  assert.ok(never.json.reasons.some((r: { code: string }) => r.code === 'OVER_LIMIT'), `¥8,000 of the ¥5,000 left: ${never.text}`);
  assert.deepEqual(stable(restarted.json), stable(never.json));
});
