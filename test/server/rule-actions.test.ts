// Rule actions through a real server, the "done when": a policy with
// `action freeze_account for 24h`, published by two admins, freezes the account on a ¥9,500
// payment; the next payment is declined ACCOUNT_FROZEN; the account view names the rule; the freeze
// ends a day later by event time; webhooks tell of both, signed. Then: an admin lifts a rule's
// freeze; a restart keeps a rule's freeze (stored, replayed at its journal position); a rule past
// its cap raises an alert and stops acting while its decisions still apply; that alert switches on
// an incident mode whose approved overlay asks for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { account, baseWorld, DAY, FREEZE_HUGE, HOUR, MIN, tx } from '../engine/world.js';
import { addAdmin, auditOf, decide, defaultFiles, defineMode, publish, waitLive } from '../policy/helpers.js';
import { receiver, until } from '../helpers/webhook-receiver.js';
import BetterSqlite3 from 'better-sqlite3';
import { dbPath } from '../../src/store/sqlite/sqlite-store.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';


const FAST = { pollMs: 20, baseDelayMs: 40, maxDelayMs: 160, timeoutMs: 2_000 };

interface Event {
  readonly type: string;
  readonly data: Record<string, any>;
}

test('a published freeze_account action: declined by its outcome, the next ACCOUNT_FROZEN, named in the view, ended by event time, told by webhooks', async () => {
  const rx = await receiver();
  const s = await startTestServer({ webhooks: FAST });
  try {
    const admin2 = addAdmin(s.dir);
    await feed(s.url, s.keys.admin, baseWorld());
    const hook = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: rx.url, events: ['account.restricted', 'account.restored'] } });
    assert.equal(hook.status, 201, hook.text);
    const files = defaultFiles();
    files['90-auto.fk'] = FREEZE_HUGE;
    const { version, approval } = await publish(s, s.keys.admin, admin2, files, 'freeze on huge payments');
    assert.equal(approval.status, 200, approval.text);
    await waitLive(s, s.keys.analyst, version);

    const huge = await decide(s, s.keys.decide, tx(10 * HOUR, { id: 'huge-1', amount: 950_000 }));
    assert.equal(huge.outcome, 'decline');
    assert.ok(!huge.reasons.some((r: { code: string }) => r.code === 'ACCOUNT_FROZEN'), 'the firing payment is decided by its own outcome');
    assert.deepEqual(huge.actions, [{ rule: 'AUTO_FREEZE_HUGE', action: 'freeze_account', target: 'A1', until: '2026-11-11T10:00:00+08:00' }]);
    const next = await decide(s, s.keys.decide, tx(10 * HOUR + MIN, { id: 'next-1' }));
    assert.equal(next.outcome, 'decline');
    assert.equal(next.reasons[0].code, 'ACCOUNT_FROZEN');

    // the account view names the rule, its policy version and the payment
    await until('the rule freeze to be stored', async () => ((await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json.actions as unknown[]).length > 0);
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.equal(view.json.status, 'frozen');
    assert.equal(view.json.restrictions.frozen.author, 'rule:AUTO_FREEZE_HUGE');
    assert.equal(view.json.restrictions.frozen.expiresAt, Date.parse('2026-11-11T10:00:00+08:00'));
    assert.match(view.json.restrictions.frozen.reason, new RegExp(`rule AUTO_FREEZE_HUGE of policy .*${version}.* on payment huge-1`));
    assert.equal(view.json.actions[0].author, 'rule:AUTO_FREEZE_HUGE');

    // the restriction is told, signed, naming the rule
    await until('account.restricted', () => rx.got.length >= 1);
    const first = rx.got[0];
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(first.headers['fengkong-signature'] as string);
    assert.ok(m !== null);
    assert.equal(m[2], createHmac('sha256', hook.json.secret as string).update(`${m[1]}.${first.body}`).digest('hex'));
    const restricted = JSON.parse(first.body) as Event;
    assert.equal(restricted.type, 'account.restricted');
    assert.equal(restricted.data.actor, 'rule:AUTO_FREEZE_HUGE');
    assert.equal(restricted.data.after.txId, 'huge-1');
    assert.equal(restricted.data.after.rule, 'AUTO_FREEZE_HUGE');

    // a day later by event time the freeze is over: the payment goes through, a webhook tells once
    // the stream's clock is there (the test world's history is sparse, so its clock jumps in runs of
    // eight payments: engine/event-clock.ts)
    const later = await decide(s, s.keys.decide, tx(10 * HOUR + DAY + MIN, { id: 'later-1' }));
    assert.ok(!later.reasons.some((r: { code: string }) => r.code === 'ACCOUNT_FROZEN'), JSON.stringify(later));
    for (let i = 2; i <= 16; i++) await decide(s, s.keys.decide, tx(10 * HOUR + DAY + i * MIN, { id: `later-${i}`, amount: 1_000 }));
    await until('account.restored', () => rx.got.length >= 2);
    const restored = JSON.parse(rx.got[1].body) as Event;
    assert.equal(restored.type, 'account.restored');
    assert.equal(restored.data.action, 'account.expire');
    assert.equal(restored.data.actor, 'system:expiry');
    assert.deepEqual(restored.data.after.ended, ['freeze']);
    const after = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.equal(after.json.restrictions.frozen, null);
    await new Promise((r) => setTimeout(r, 1_200));
    assert.equal(rx.got.length, 2, 'each end is told once');
  } finally {
    await s.close();
    await rx.close();
  }
});

test('an admin lifts a rule freeze; a restart keeps a rule freeze; past its cap a rule stops acting and raises an alert', async () => {
  const dir = tempDir();
  let s = await startTestServer({ dir });
  try {
    const admin2 = addAdmin(dir);
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2'), account('A3'), account('A4')]);
    const files = defaultFiles();
    files['90-auto.fk'] = `setting actions.rule_cap_per_hour = 2\n${FREEZE_HUGE}`;
    const { version } = await publish(s, s.keys.admin, admin2, files);
    await waitLive(s, s.keys.analyst, version);
    assert.equal((await decide(s, s.keys.decide, tx(10 * HOUR, { id: 'a1-huge', amount: 950_000 }))).actions.length, 1);
    assert.equal((await decide(s, s.keys.decide, tx(10 * HOUR + MIN, { id: 'a2-huge', accountId: 'A2', amount: 950_000 }))).actions.length, 1);
    // an admin lifts A1's freeze: the next payment of A1 goes through
    await until('the freezes to be stored', async () => ((await call(s.url, '/v1/accounts/A2', { key: s.keys.analyst })).json.actions as unknown[]).length > 0);
    const lifted = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'unfreeze', reason: 'customer verified the payment' } });
    assert.equal(lifted.status, 201, lifted.text);
    assert.notEqual((await decide(s, s.keys.decide, tx(10 * HOUR + 2 * MIN, { id: 'a1-after' }))).reasons[0]?.code, 'ACCOUNT_FROZEN');

    // the third action in the hour is past the rule's cap: named capped, not taken, an alert raised
    const third = await decide(s, s.keys.decide, tx(10 * HOUR + 3 * MIN, { id: 'a3-huge', accountId: 'A3', amount: 950_000 }));
    assert.equal(third.outcome, 'decline', 'the decision still applies');
    assert.equal(third.actions[0].capped, true);
    assert.notEqual((await decide(s, s.keys.decide, tx(10 * HOUR + 4 * MIN, { id: 'a3-next', accountId: 'A3' }))).reasons[0]?.code, 'ACCOUNT_FROZEN');
    await until('the cap alert', async () => ((await call(s.url, '/v1/alerts', { key: s.keys.analyst })).json.alerts as { metric: string }[]).some((a) => a.metric === 'rule_actions_capped'));
    const alerts = (await call(s.url, '/v1/alerts', { key: s.keys.analyst })).json.alerts as { metric: string; subject: string; message: string }[];
    const cap = alerts.filter((a) => a.metric === 'rule_actions_capped');
    assert.equal(cap.length, 1);
    assert.equal(cap[0].subject, 'AUTO_FREEZE_HUGE');

    // a restart: A2's rule freeze is replayed at its journal position and still declines; the
    // followers' cursors are set back first, so they read the decisions again (as after a failed
    // recording) and must find what they stored then
    await s.close(true);
    const db = new BetterSqlite3(dbPath(dir));
    assert.ok(db.prepare("UPDATE follower_cursors SET seq = 0 WHERE name LIKE 'rule_actions.%'").run().changes >= 3);
    db.close();
    s = await startTestServer({ dir, keys: s.keys });
    const a2 = await decide(s, s.keys.decide, tx(10 * HOUR + 5 * MIN, { id: 'a2-next', accountId: 'A2' }));
    assert.equal(a2.reasons[0].code, 'ACCOUNT_FROZEN');
    const view = await call(s.url, '/v1/accounts/A2', { key: s.keys.analyst });
    assert.equal(view.json.actions.length, 1, 'stored once, not again when read again at the restart');
    const audited = await call(s.url, '/v1/audit?action=account.freeze', { key: s.keys.admin });
    assert.equal((audited.json.entries as { target: string }[]).filter((e) => e.target === 'accounts/A2').length, 1, 'audited once');
    const capAlerts = ((await call(s.url, '/v1/alerts', { key: s.keys.analyst })).json.alerts as { metric: string }[]).filter((a) => a.metric === 'rule_actions_capped');
    assert.equal(capAlerts.length, 1, 'the cap alert is not raised again');
    assert.equal(view.json.restrictions.frozen.author, 'rule:AUTO_FREEZE_HUGE');
  } finally {
    await s.close();
  }
});

test('an alert switches on the incident mode whose approved overlay asks for it; a mode that does not ask stays off', async () => {
  const s = await startTestServer();
  try {
    const admin2 = addAdmin(s.dir);
    await feed(s.url, s.keys.admin, baseWorld());
    const files = defaultFiles();
    files['90-auto.fk'] = `setting actions.rule_cap_per_hour = 0\n${FREEZE_HUGE}`;
    const { version } = await publish(s, s.keys.admin, admin2, files);
    await waitLive(s, s.keys.analyst, version);
    const brake = await defineMode(s, s.keys.admin, admin2, 'brake', {
      description: 'tighten review when automatic actions are capped',
      rules: 'setting alerts.switch_on.rule_actions_capped = 1\nsetting score.review = 30\n',
    });
    assert.equal(brake.status, 200, brake.text);
    const other = await defineMode(s, s.keys.admin, admin2, 'quiet', { description: 'not for this alert', rules: 'setting alerts.switch_on.fraud_labels = 1\n' });
    assert.equal(other.status, 200, other.text);
    const bad = await call(s.url, '/v1/modes/wrong', { key: s.keys.admin, method: 'PUT', body: { description: 'x', rules: 'setting alerts.switch_on.decline_rate = 2\n' } });
    assert.equal(bad.status, 422, 'a switch is 0 or 1');

    assert.equal((await decide(s, s.keys.decide, tx(10 * HOUR, { id: 'capped-1', amount: 950_000 }))).actions[0].capped, true);
    await until('the mode on', async () => (await call(s.url, '/v1/modes/brake', { key: s.keys.analyst })).json.mode.active === true);
    assert.equal((await call(s.url, '/v1/modes/quiet', { key: s.keys.analyst })).json.mode.active, false);
    const on = (await auditOf(s, s.keys.analyst, 'mode.on'))[0];
    assert.equal(on.actor, 'system:alerts');
    assert.equal(on.target, 'modes/brake');
    const next = await decide(s, s.keys.decide, tx(10 * HOUR + MIN, { id: 'under-brake' }));
    assert.match(next.policy, /incident:brake/);
  } finally {
    await s.close();
  }
});
