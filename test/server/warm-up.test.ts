// The start's warm-up (src/engine/warm-up.ts) decides a synthetic world on a scratch engine before
// the server listens: nothing of it may reach the live engine, the journal or any answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, MIN, tx } from '../engine/world.js';
import { WARM_PAYMENTS } from '../../src/engine/warm-up.js';
import { call, feed, journalSeq, stable, startTestServer } from './helpers.js';

function traffic(): Record<string, unknown>[] {
  const T = 10 * HOUR;
  const ev: Record<string, unknown>[] = [];
  for (let i = 0; i < 8; i++) ev.push(tx(T + i * MIN, { id: `w-small-${i}`, amount: 1_500 + i * 100 }));
  // an account of the synthetic world's own naming, never registered here
  ev.push(tx(T + 20 * MIN, { id: 'w-stranger', accountId: 'wa1', deviceId: 'wd1' }));
  for (let i = 0; i < 4; i++) ev.push(tx(T + 30 * MIN + i * MIN, { id: `w-big-${i}`, amount: 150_000 + i * 1_000 }));
  return ev;
}

test('a warmed-up server decides exactly as one that did not warm up, and its journal starts empty', async () => {
  const inputs = [...baseWorld(), account('A9'), ...traffic()];
  const cold = await startTestServer({ warmUpPayments: 0 });
  const warm = await startTestServer();
  try {
    assert.equal(cold.server.warmUp.payments, 0);
    assert.equal(warm.server.warmUp.payments, WARM_PAYMENTS);
    assert.ok(warm.server.warmUp.ms > 0);
    assert.equal(await journalSeq(warm.url, warm.keys.admin), 0, 'the warm-up journaled nothing');
    const stranger = await call(warm.url, '/v1/accounts/wa1', { key: warm.keys.admin });
    assert.equal(stranger.status, 404, 'the synthetic accounts are not the live engine\'s');
    const a = await feed(cold.url, cold.keys.admin, inputs);
    const b = await feed(warm.url, warm.keys.admin, inputs);
    assert.equal(b.length, a.length);
    for (let i = 0; i < a.length; i++) assert.deepEqual(stable(b[i].json), stable(a[i].json), `decision ${i}`);
    const strangerAnswer = b.find((x) => x.json.txId === 'w-stranger');
    assert.ok(strangerAnswer !== undefined);
    assert.ok((strangerAnswer.json.reasons as { code: string }[]).some((r) => r.code === 'UNREGISTERED_ACCOUNT'), JSON.stringify(strangerAnswer.json));
  } finally {
    await cold.close();
    await warm.close();
  }
});
