// Account actions through the real server: each action and its effect on the very next payment,
// expiry at the payment's time, the audit trail with before and after, the analyst's full view,
// and a restart that keeps every action in force (and decides the journal again exactly as before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, MIN, baseWorld, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { formatShanghai } from '../../src/contract/time.js';

const T = 10 * HOUR;
let clock = T;

type DecisionBody = { outcome: string; score: number; reasons: { code: string }[] };

/** One payment by A1 two hours after the previous one (so velocity rules stay quiet). */
async function pay(s: TestServer, extra: Record<string, unknown> = {}): Promise<DecisionBody> {
  clock += 2 * HOUR;
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(clock, extra) });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function act(s: TestServer, body: Record<string, unknown>, account = 'A1'): Promise<{ status: number; json: any; text: string }> {
  return call(s.url, `/v1/accounts/${account}/actions`, { key: s.keys.admin, body });
}

const codes = (d: DecisionBody): string[] => d.reasons.map((r) => r.code);

test('each account action takes effect on the very next payment, is audited, and survives a restart', async () => {
  const dir = tempDir('acct-actions-');
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    assert.equal((await pay(s)).outcome, 'approve');

    // freeze → the next payment is declined with ACCOUNT_FROZEN
    const freeze = await act(s, { action: 'freeze', reason: 'suspected account takeover' });
    assert.equal(freeze.status, 201, freeze.text);
    assert.equal(freeze.json.action.action, 'freeze');
    assert.match(freeze.json.action.author, /^key_[0-9a-f]{12}$/);
    assert.equal(freeze.json.before.frozen, null);
    assert.equal(freeze.json.after.frozen.reason, 'suspected account takeover');
    const frozen = await pay(s);
    assert.deepEqual([frozen.outcome, codes(frozen)[0]], ['decline', 'ACCOUNT_FROZEN']);

    // unfreeze → approved again
    assert.equal((await act(s, { action: 'unfreeze', reason: 'customer verified by phone' })).status, 201);
    assert.equal((await pay(s)).outcome, 'approve');

    // lower the limit to ¥1,000: ¥750 is outstanding (base world ¥550 + two ¥100 payments), ¥250 is left
    const lower = await act(s, { action: 'lower_limit', limit: 100_000, reason: 'repayments late' });
    assert.equal(lower.status, 201, lower.text);
    assert.equal(lower.json.after.limit.limit, 100_000);
    const over = await pay(s, { amount: 30_000 });
    assert.deepEqual([over.outcome, codes(over)[0]], ['decline', 'OVER_LIMIT']);
    assert.equal((await pay(s, { amount: 20_000 })).outcome, 'approve');

    // require step-up → every payment challenged
    assert.equal((await act(s, { action: 'require_step_up', reason: 'new phone, unconfirmed' })).status, 201);
    const challenged = await pay(s, { amount: 1_000 });
    assert.deepEqual([challenged.outcome, codes(challenged)], ['challenge', ['STEP_UP_REQUIRED']]);
    // the lowered limit still holds beside it: ¥960 of ¥1,000 is used, so ¥100 is over the limit
    const both = await pay(s, { amount: 10_000 });
    assert.equal(both.outcome, 'decline');
    assert.deepEqual(codes(both).sort(), ['OVER_LIMIT', 'STEP_UP_REQUIRED']);

    // the analyst's view shows all of it
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.equal(view.status, 200, view.text);
    assert.equal(view.json.status, 'restricted');
    assert.equal(view.json.credit.creditLimit, 2_000_000);
    assert.equal(view.json.credit.effectiveLimit, 100_000);
    assert.equal(view.json.restrictions.stepUp.reason, 'new phone, unconfirmed');
    assert.equal(view.json.restrictions.limit.limit, 100_000);
    assert.equal(view.json.restrictions.frozen, null);
    assert.deepEqual(view.json.recentPayments[1].reasons, [{ code: 'STEP_UP_REQUIRED' }]);
    assert.equal(view.json.recentPayments[1].outcome, 'challenge');
    assert.equal(view.json.recentPayments[0].outcome, 'decline');
    assert.equal(typeof view.json.recentPayments[0].score, 'number');
    assert.equal(view.json.credit.outstanding, 96_000);
    assert.equal(view.json.credit.availableCredit, 4_000);
    assert.equal(view.json.recentPayments.length, 12);
    assert.deepEqual(view.json.devices.map((d: { deviceId: string }) => d.deviceId), ['D1']);
    assert.deepEqual(view.json.actions.map((a: { action: string }) => a.action), ['require_step_up', 'lower_limit', 'unfreeze', 'freeze']);
    assert.ok(['A', 'B', 'C', 'D', 'E'].includes(view.json.rating.grade));

    // restore → no restriction at all: approved, the registered limit applies again
    const restore = await act(s, { action: 'restore', reason: 'review closed, no fraud' });
    assert.equal(restore.status, 201, restore.text);
    assert.deepEqual(restore.json.after, { frozen: null, stepUp: null, limit: null });
    assert.equal((await pay(s, { amount: 30_000 })).outcome, 'approve');

    // every action is in the audit log, with the restrictions before and after
    const audit = await call(s.url, '/v1/audit?action=account.', { key: s.keys.analyst });
    const log = (audit.json.entries as { actor: string; action: string; target: string; before: any; after: any }[]).reverse();
    assert.deepEqual(
      log.map((e) => e.action),
      ['account.freeze', 'account.unfreeze', 'account.lower_limit', 'account.require_step_up', 'account.restore'],
    );
    assert.ok(log.every((e) => e.target === 'accounts/A1' && /^key_/.test(e.actor)));
    assert.equal(log[0].before.restrictions.frozen, null);
    assert.equal(log[0].after.restrictions.frozen.reason, 'suspected account takeover');
    assert.equal(log[2].before.effectiveLimit, 2_000_000);
    assert.equal(log[2].after.effectiveLimit, 100_000);
    assert.equal(log[4].before.restrictions.stepUp.reason, 'new phone, unconfirmed');
    assert.deepEqual(log[4].after.restrictions, { frozen: null, stepUp: null, limit: null });

    // freeze again, then restart: the freeze holds, and the journal replays exactly as answered
    assert.equal((await act(s, { action: 'freeze', reason: 'chargeback received' })).status, 201);
    assert.equal((await pay(s)).outcome, 'decline');
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    assert.equal(s.server.recovery.changedDecisions, 0, 'every journaled payment is decided again as it was answered');
    const afterRestart = await pay(s);
    assert.deepEqual([afterRestart.outcome, codes(afterRestart)[0]], ['decline', 'ACCOUNT_FROZEN']);
    const again = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.equal(again.json.restrictions.frozen.reason, 'chargeback received');
    assert.equal(again.json.status, 'frozen');
    assert.equal((await act(s, { action: 'restore', reason: 'chargeback withdrawn' })).status, 201);
    assert.equal((await pay(s)).outcome, 'approve');
  } finally {
    await s.close();
  }
});

test('an action with an expiry holds for payments before it and reads as lifted from it on (payment time)', async () => {
  // payments dated hours ahead of the wall clock, to pass the action's expiry: the server's tolerance allows them here
  const s = await startTestServer({ dir: tempDir('acct-expiry-'), maxEventLeadMs: 6 * HOUR });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const now = Date.now();
    const expires = now + HOUR;
    const r = await act(s, { action: 'freeze', reason: 'cooling off', expiresAt: formatShanghai(expires) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.action.expiresAt, expires);
    const at = (ms: number): Record<string, unknown> => ({ ts: formatShanghai(ms) });
    const before = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(0, at(now + 30 * MIN)) });
    assert.deepEqual([before.json.outcome, before.json.reasons[0].code], ['decline', 'ACCOUNT_FROZEN']);
    const after = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(0, at(now + 3 * HOUR)) });
    assert.equal(after.json.outcome, 'approve', after.text);
    // a lowered limit with an expiry, given as epoch ms
    const lower = await act(s, { action: 'lower_limit', limit: 0, reason: 'pause spending', expiresAt: now + 2 * HOUR });
    assert.equal(lower.status, 201, lower.text);
    const paused = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(0, { ...at(now + 90 * MIN), amount: 100 }) });
    assert.deepEqual([paused.json.outcome, paused.json.reasons[0].code], ['decline', 'OVER_LIMIT']);
    const resumed = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(0, { ...at(now + 5 * HOUR), amount: 100 }) });
    assert.equal(resumed.json.outcome, 'approve', resumed.text);
  } finally {
    await s.close();
  }
});
