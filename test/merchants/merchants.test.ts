// Merchants through the real server: the check before paying (核实商户) for partners and the full
// view for analysts; each merchant action and its effect on the very next payment; every bad input
// refused with a clear error and nothing changed; roles; audit; a restart keeps the actions and
// re-decides history exactly as it was decided.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, baseWorld, GZ, HOUR, MIN, SZ, tx } from '../engine/world.js';
import { call, feed, journalSeq, startTestServer, type TestServer } from '../server/helpers.js';
import { auditOf, caseDir, casesOf, events, pay } from '../cases/helpers.js';

const T = 10 * HOUR;
let clock = T;
/** A payment two hours after the previous one, so velocity rules stay quiet. */
function next(extra: Record<string, unknown> = {}): Record<string, unknown> {
  clock += 2 * HOUR;
  return tx(clock, extra);
}

const codes = (d: { reasons: { code: string }[] }): string[] => d.reasons.map((r) => r.code);

async function act(s: TestServer, key: string, merchant: string, body: Record<string, unknown>) {
  return call(s.url, `/v1/merchants/${merchant}/actions`, { key, body });
}

test('the merchant check for partners and the full view for analysts', async () => {
  const s = await startTestServer({ dir: caseDir('merchant-view') });
  try {
    await feed(s.url, s.keys.admin, [
      ...baseWorld(),
      { type: 'merchant', ts: at(-HOUR), merchantId: 'M5', name: '二清小店', mcc: '5999', acquirerId: '48029999', geo: SZ, region: '440304' },
    ]);
    const partner = await call(s.url, '/v1/merchants/M1?terminalId=T1', { key: s.keys.decide });
    assert.equal(partner.status, 200, partner.text);
    assert.deepEqual(partner.json.check, { ok: true, problems: [] });
    assert.deepEqual([partner.json.registered, partner.json.name, partner.json.mcc, partner.json.region], [true, '深圳便利店', '5411', '440304']);
    assert.deepEqual(partner.json.acquirer, { acquirerId: '48021000', name: '持牌支付', registered: true, licensed: true });
    assert.deepEqual([partner.json.terminal.belongsToMerchant, partner.json.terminal.status], [true, 'in_service']);
    assert.equal(partner.json.rating, undefined, 'partners do not see ratings');
    assert.equal(partner.json.openCases, undefined);

    const wrong = await call(s.url, '/v1/merchants/M1?terminalId=T2', { key: s.keys.decide });
    assert.equal(wrong.json.check.ok, false);
    assert.match(wrong.json.check.problems[0], /bound to merchant M2/);
    assert.equal(wrong.json.terminal.boundMerchantId, 'M2');
    const ghost = await call(s.url, '/v1/merchants/M1?terminalId=T404', { key: s.keys.decide });
    assert.deepEqual([ghost.json.check.ok, ghost.json.terminal.registered], [false, false]);
    const unlicensed = await call(s.url, '/v1/merchants/M5', { key: s.keys.decide });
    assert.equal(unlicensed.json.acquirer.licensed, false);
    assert.match(unlicensed.json.check.problems[0], /no payment licence/);
    const unknown = await call(s.url, '/v1/merchants/M404', { key: s.keys.decide });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'not_found']);
    assert.equal((await call(s.url, '/v1/merchants/M1', { key: s.keys.support })).status, 403);

    // code jumping at T1: payments carrying M2's code from three accounts
    await events(s, [account('B1'), account('B2')]);
    for (const [i, a] of ['A1', 'B1', 'B2', 'A1'].entries()) {
      await pay(s, tx(T + i * 20 * MIN, { accountId: a, deviceId: `D-${a}`, merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' }));
    }
    const full = await call(s.url, '/v1/merchants/M1?terminalId=T1', { key: s.keys.analyst });
    assert.equal(full.status, 200, full.text);
    assert.deepEqual(full.json.terminals.map((t: any) => t.terminalId), ['T1']);
    const drivers = full.json.terminalRating.drivers.map((d: any) => d.driver);
    assert.equal(drivers[0], 'code_jumping', drivers.join());
    assert.ok(full.json.terminalRating.score > 20, String(full.json.terminalRating.score));
    assert.equal(full.json.terminals[0].risk.grade, full.json.terminalRating.grade);
    assert.equal(full.json.settlement, 'normal');
    // the code-jumping detector opened the terminal's case, listed with the merchant
    await casesOf(s, 'terminal:T1');
    const again = await call(s.url, '/v1/merchants/M1', { key: s.keys.analyst });
    assert.deepEqual(again.json.openCases.map((c: any) => [c.subjectId, c.issue]), [['T1', 'detector:code_jumping']]);
    // the risk list
    const list = await call(s.url, '/v1/merchants?kind=terminal&minScore=10', { key: s.keys.analyst });
    assert.equal(list.json.terminals[0].terminalId, 'T1');
    assert.equal((await call(s.url, '/v1/merchants', { key: s.keys.decide })).status, 403);
  } finally {
    await s.close();
  }
});

test('merchant actions take effect on the very next payment, are refused on bad input, and survive a restart', async () => {
  const dir = caseDir('merchant-actions');
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    assert.equal((await pay(s, next())).outcome, 'approve');

    // roles: only admins suspend; decide keys act on nothing
    const reason = 'terminal reported moved to another city';
    assert.equal((await act(s, s.keys.analyst, 'M1', { action: 'suspend_terminal', terminalId: 'T1', reason })).status, 403);
    assert.equal((await act(s, s.keys.decide, 'M1', { action: 'hold_settlement', reason })).status, 403);
    assert.equal((await act(s, s.keys.support, 'M1', { action: 'hold_settlement', reason })).status, 403);

    // suspend T1: its next payment is declined, whatever merchant code it carries; T2 is untouched
    const suspended = await act(s, s.keys.admin, 'M1', { action: 'suspend_terminal', terminalId: 'T1', reason });
    assert.equal(suspended.status, 201, suspended.text);
    assert.deepEqual([suspended.json.action.action, suspended.json.action.terminalId, suspended.json.action.status], ['suspend_terminal', 'T1', 'active']);
    const declined = await pay(s, next());
    assert.deepEqual([declined.outcome, codes(declined)[0]], ['decline', 'TERMINAL_SUSPENDED']);
    const jumped = await pay(s, next({ merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' }));
    assert.deepEqual([jumped.outcome, codes(jumped)[0]], ['decline', 'TERMINAL_SUSPENDED']);
    const other = await pay(s, next({ merchantId: 'M2', terminalId: 'T2', mcc: '5944', merchantName: '深圳珠宝行', geo: { lat: 22.55, lon: 114.07 } }));
    assert.equal(other.outcome, 'approve', codes(other).join());
    const view = await call(s.url, '/v1/merchants/M1?terminalId=T1', { key: s.keys.decide });
    assert.equal(view.json.terminal.status, 'suspended');
    assert.match(view.json.check.problems.join(), /suspended/);

    // bad input: a clear error, nothing changes (no audit record, the journal does not move)
    const auditBefore = (await auditOf(s, 'merchants/')).length;
    const seq = await journalSeq(s.url, s.keys.analyst);
    const bad = [
      [await act(s, s.keys.admin, 'M404', { action: 'hold_settlement', reason }), 404, 'not_found', undefined],
      [await act(s, s.keys.admin, 'M1', { action: 'suspend_terminal', terminalId: 'T404', reason }), 404, 'not_found', undefined],
      [await act(s, s.keys.admin, 'M1', { action: 'suspend_terminal', terminalId: 'T2', reason }), 400, 'invalid_request', 'terminalId'],
      [await act(s, s.keys.admin, 'M1', { action: 'suspend_terminal', terminalId: 'T1', reason }), 409, 'conflict', undefined],
      [await act(s, s.keys.admin, 'M1', { action: 'release', reason }), 409, 'conflict', undefined],
      [await act(s, s.keys.admin, 'M1', { action: 'close_shop', reason }), 400, 'invalid_request', 'action'],
      [await act(s, s.keys.admin, 'M1', { action: 'hold_settlement' }), 400, 'invalid_request', 'reason'],
      [await act(s, s.keys.admin, 'M1', { action: 'suspend_terminal', reason }), 400, 'invalid_request', 'terminalId'],
      [await act(s, s.keys.admin, 'M1', { action: 'hold_settlement', reason, expiresAt: '2020-01-01T00:00:00+08:00' }), 400, 'invalid_request', 'expiresAt'],
      [await act(s, s.keys.admin, 'M1', { action: 'hold_settlement', reason, expiresAt: 'soon' }), 400, 'invalid_request', 'expiresAt'],
    ] as const;
    for (const [r, status, code, path] of bad) {
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.error.code, code, r.text);
      assert.equal(r.json.error.path, path, r.text);
    }
    assert.match(bad[3][0].json.error.message, /in force since/);
    assert.equal((await auditOf(s, 'merchants/')).length, auditBefore);
    assert.equal(await journalSeq(s.url, s.keys.analyst), seq);

    // release the terminal (admins only): the very next payment is approved again
    assert.equal((await act(s, s.keys.analyst, 'M1', { action: 'release_terminal', terminalId: 'T1', reason: 'back at its address' })).status, 403);
    const released = await act(s, s.keys.admin, 'M1', { action: 'release_terminal', terminalId: 'T1', reason: 'back at its address' });
    assert.equal(released.status, 201, released.text);
    assert.deepEqual([released.json.action.status, released.json.before.status], ['released', 'active']);
    assert.equal((await pay(s, next())).outcome, 'approve');

    // an analyst holds M1's settlement: its payments go through and are reviewed, into the merchant's case
    const held = await act(s, s.keys.analyst, 'M1', { action: 'hold_settlement', reason: 'cash-out ring under investigation' });
    assert.equal(held.status, 201, held.text);
    const reviewed = await pay(s, next({ id: 'held-1' }));
    assert.deepEqual([reviewed.outcome, codes(reviewed)[0]], ['review', 'MERCHANT_SETTLEMENT_HELD']);
    const [heldCase] = await casesOf(s, 'merchant:M1');
    assert.deepEqual([heldCase.issue, heldCase.items], ['settlement_held', 1]);
    assert.deepEqual(await casesOf(s, 'account:A1'), [], 'a review only the hold asked for is the merchant\'s case, not the account\'s');
    const full = await call(s.url, '/v1/merchants/M1', { key: s.keys.analyst });
    assert.equal(full.json.settlement, 'held');
    assert.deepEqual(full.json.actions.map((a: any) => a.action), ['hold_settlement']);
    assert.deepEqual(full.json.openCases.map((c: any) => c.issue), ['settlement_held']);
    assert.equal((await act(s, s.keys.analyst, 'M1', { action: 'release', reason: 'cleared' })).status, 403);
    const freed = await act(s, s.keys.admin, 'M1', { action: 'release', reason: 'cleared' });
    assert.equal(freed.status, 201, freed.text);
    assert.equal((await pay(s, next())).outcome, 'approve');

    // every action is audited, in order, with who and the state before and after
    const audit = await auditOf(s, 'merchants/');
    assert.deepEqual(
      audit.map((e) => [e.action, e.target]),
      [
        ['merchant.terminal.suspend', 'merchants/M1/terminals/T1'],
        ['merchant.terminal.release', 'merchants/M1/terminals/T1'],
        ['merchant.hold', 'merchants/M1'],
        ['merchant.release', 'merchants/M1'],
      ],
    );
    assert.equal(audit[1].before.status, 'active');
    assert.equal(audit[1].after.releaseReason, 'back at its address');
    const history = await call(s.url, '/v1/merchants/M1/actions', { key: s.keys.analyst });
    assert.deepEqual(history.json.actions.map((a: any) => [a.action, a.status]), [['hold_settlement', 'released'], ['suspend_terminal', 'released']]);

    // restart with T3 suspended: the action is back, and history is re-decided as it was decided
    const t3 = await act(s, s.keys.admin, 'M3', { action: 'suspend_terminal', terminalId: 'T3', reason: 'fraud ring' });
    assert.equal(t3.status, 201, t3.text);
    const gz = { merchantId: 'M3', terminalId: 'T3', mcc: '5812', merchantName: '广州餐厅', geo: GZ };
    assert.equal((await pay(s, next(gz))).outcome, 'decline');
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    assert.equal(s.server.recovery.changedDecisions, 0, 'every journaled payment re-decided as it was answered');
    const after = await pay(s, next(gz));
    assert.deepEqual([after.outcome, codes(after)[0]], ['decline', 'TERMINAL_SUSPENDED']);
    const kept = await call(s.url, '/v1/merchants/M3/actions', { key: s.keys.analyst });
    assert.deepEqual(kept.json.actions.map((a: any) => [a.action, a.terminalId, a.status]), [['suspend_terminal', 'T3', 'active']]);
    assert.equal((await pay(s, next())).outcome, 'approve', 'T1 stays released after the restart');
  } finally {
    await s.close();
  }
});
