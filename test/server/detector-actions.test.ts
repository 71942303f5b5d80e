// Detector actions through a real server: with `detectors.code_jumping.suspend_terminal_hours = 72`
// in a policy published by two admins, a code-jumping finding (three accounts paying through T1
// under another merchant's code) suspends T1 by itself, recorded as taken by
// `detector:code_jumping`, audited, and the terminal's next payment is declined TERMINAL_SUSPENDED;
// with the cap at zero the finding only opens its case and raises an alert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, MIN, tx } from '../engine/world.js';
import { addAdmin, defaultFiles, publish, waitLive } from '../policy/helpers.js';
import { casesOf, pay } from '../cases/helpers.js';
import { until } from '../helpers/webhook-receiver.js';
import { call, feed, startTestServer } from './helpers.js';

const T = 21 * HOUR;
const M2 = { merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' };

async function jumpingServer(settings: string) {
  const s = await startTestServer();
  try {
    const admin2 = addAdmin(s.dir);
    await feed(s.url, s.keys.admin, [...baseWorld(), account('B1'), account('B2')]);
    const files = defaultFiles();
    files['90-detectors.fk'] = settings;
    const { version, approval } = await publish(s, s.keys.admin, admin2, files, 'detector actions');
    assert.equal(approval.status, 200, approval.text);
    await waitLive(s, s.keys.analyst, version);
    // three accounts pay through T1 (M1's terminal) under M2's code: 跳码
    for (const [i, a] of ['A1', 'B1', 'B2'].entries()) await pay(s, tx(T + i * 10 * MIN, { ...M2, terminalId: 'T1', accountId: a, deviceId: `Q-${a}` }));
    return s;
  } catch (e) {
    await s.close();
    throw e;
  }
}

test("a code-jumping finding suspends the terminal by itself where the policy says so; the next payment there is declined", async () => {
  const s = await jumpingServer('setting detectors.code_jumping.suspend_terminal_hours = 72\n');
  try {
    const [jump] = await casesOf(s, 'terminal:T1');
    assert.equal(jump.issue, 'detector:code_jumping');
    await until('the suspension', async () => ((await call(s.url, '/v1/merchants/M1/actions', { key: s.keys.analyst })).json.actions as unknown[]).length > 0);
    const [suspension] = (await call(s.url, '/v1/merchants/M1/actions', { key: s.keys.analyst })).json.actions as Record<string, any>[];
    assert.equal(suspension.action, 'suspend_terminal');
    assert.equal(suspension.terminalId, 'T1');
    assert.equal(suspension.actor, 'detector:code_jumping');
    assert.match(suspension.reason, /^detector code_jumping on terminal T1: /);
    assert.equal(suspension.expiresAt, Date.parse('2026-11-10T21:20:00+08:00') + 72 * HOUR, '72 hours of event time from the payment that completed the finding');
    const next = await pay(s, tx(T + HOUR, { id: 'after-suspension', accountId: 'A1' }));
    assert.equal(next.outcome, 'decline');
    assert.equal(next.reasons[0].code, 'TERMINAL_SUSPENDED');
    const audit = await call(s.url, '/v1/audit?action=merchant.terminal.suspend', { key: s.keys.admin });
    const [entry] = audit.json.entries as Record<string, any>[];
    assert.equal(entry.actor, 'detector:code_jumping');
    assert.equal(entry.after.detector, 'code_jumping');
    // an admin lifts it like any suspension
    const lifted = await call(s.url, '/v1/merchants/M1/actions', { key: s.keys.admin, body: { action: 'release_terminal', terminalId: 'T1', reason: 'the acquirer re-registered the terminal' } });
    assert.equal(lifted.status, 201, lifted.text);
    assert.notEqual((await pay(s, tx(T + HOUR + MIN, { id: 'after-release', accountId: 'A1' }))).reasons[0]?.code, 'TERMINAL_SUSPENDED');
  } finally {
    await s.close();
  }
});

test('past detectors.actions_per_hour a finding only opens its case and raises an alert; without the setting nothing is suspended', async () => {
  const capped = await jumpingServer('setting detectors.code_jumping.suspend_terminal_hours = 72\nsetting detectors.actions_per_hour = 0\n');
  try {
    assert.equal((await casesOf(capped, 'terminal:T1')).length, 1);
    await until('the cap alert', async () => ((await call(capped.url, '/v1/alerts', { key: capped.keys.analyst })).json.alerts as { metric: string }[]).some((a) => a.metric === 'detector_actions_capped'));
    assert.deepEqual((await call(capped.url, '/v1/merchants/M1/actions', { key: capped.keys.analyst })).json.actions, []);
  } finally {
    await capped.close();
  }
  const off = await jumpingServer('setting detectors.actions_per_hour = 10\n');
  try {
    assert.equal((await casesOf(off, 'terminal:T1')).length, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await call(off.url, '/v1/merchants/M1/actions', { key: off.keys.analyst })).json.actions, []);
  } finally {
    await off.close();
  }
});
