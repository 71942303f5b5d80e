// The asynchronous detectors through the real server: a simulated cash-out ring (套现) opens its
// merchant's case with the ring as evidence, and its legitimate look-alikes do not; a restart
// rebuilds the detectors from the journal and later ring payments join the same case; resolving
// the ring as fraud teaches the engine; code jumping (跳码), relocated terminals (移机) and second
// clearing (二清) open their terminal's or merchant's case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, baseWorld, GZ, HOUR, MIN, SZ, SZ2, tx } from '../engine/world.js';
import { call, feed, startTestServer } from '../server/helpers.js';
import { caseDir, casesOf, pay } from '../cases/helpers.js';

const T = 21 * HOUR; // 21:00 local: rings like the evening
const SHOP = { merchantId: 'M9', terminalId: 'T9', mcc: '5999', merchantName: '华强小卖部', geo: SZ };

function ringWorld(): Record<string, unknown>[] {
  const ts = at(-100 * 86_400_000);
  return [
    ...baseWorld(),
    { type: 'merchant', ts, merchantId: 'M9', name: '华强小卖部', mcc: '5999', acquirerId: '48021000', geo: SZ, region: '440304' },
    { type: 'terminal', ts, terminalId: 'T9', merchantId: 'M9', acquirerId: '48021000', geo: SZ },
    { type: 'merchant', ts, merchantId: 'M8', name: '华强礼品', mcc: '5947', acquirerId: '48021000', geo: SZ, region: '440304' },
    { type: 'terminal', ts, terminalId: 'T8', merchantId: 'M8', acquirerId: '48021000', geo: SZ },
    ...Array.from({ length: 10 }, (_, i) => account(`C${i}`, { creditLimit: 1_000_000 })),
    ...Array.from({ length: 8 }, (_, i) => account(`L${i}`)),
  ];
}

/** Ring member `i`: repays, then pays the shop ¥5,000 (or ¥4,999) from its phone (C1 and C2 share one). */
function member(i: number, base: number): Record<string, unknown>[] {
  const t = base + i * 15 * MIN;
  const device = i === 2 ? 'P1' : `P${i}`;
  return [
    { type: 'account_event', ts: at(t - 30 * MIN), accountId: `C${i}`, kind: 'repayment', amount: 500_000 },
    tx(t, { ...SHOP, id: `ring-${i}`, accountId: `C${i}`, deviceId: device, amount: i % 2 === 0 ? 500_000 : 499_900 }),
  ];
}

test('a cash-out ring opens its merchant\'s case; look-alikes do not; a restart keeps feeding it; resolving it teaches the engine', async () => {
  const dir = caseDir('ring');
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, ringWorld());
    // look-alike 1: six accounts at M1 with ordinary, not cash-shaped amounts
    for (let i = 0; i < 6; i++) await pay(s, tx(T + i * MIN, { id: `lk1-${i}`, accountId: `L${i}`, deviceId: `E${i}`, amount: 123_456 + i }));
    // look-alike 2: five round ¥1,000 payments at M4 among many ordinary ones (20%: a busy shop, not a ring)
    for (let i = 0; i < 20; i++) {
      await pay(s, tx(T + i * MIN, { id: `lk2-${i}`, accountId: `L${i % 8}`, deviceId: `E${i % 8}`, amount: 3_500 + i, merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: SZ2 }));
    }
    for (let i = 0; i < 5; i++) {
      await pay(s, tx(T + 30 * MIN + i * MIN, { id: `lk3-${i}`, accountId: `L${i}`, deviceId: `E${i}`, amount: 100_000, merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: SZ2 }));
    }
    // the ring: C0–C5 repay and cash out ¥5,000 each within 90 minutes; C0 and C1 also at M8
    const ringEvents = [0, 1, 2, 3, 4, 5].flatMap((i) => member(i, T));
    ringEvents.push(tx(T + 2 * HOUR, { merchantId: 'M8', terminalId: 'T8', mcc: '5947', merchantName: '华强礼品', geo: SZ, id: 'm8-0', accountId: 'C0', deviceId: 'P0', amount: 300_000 }));
    ringEvents.push(tx(T + 2 * HOUR + MIN, { merchantId: 'M8', terminalId: 'T8', mcc: '5947', merchantName: '华强礼品', geo: SZ, id: 'm8-1', accountId: 'C1', deviceId: 'P1', amount: 300_000 }));
    await feed(s.url, s.keys.admin, ringEvents);

    assert.deepEqual(await casesOf(s, 'merchant:M1'), []);
    assert.deepEqual(await casesOf(s, 'merchant:M4'), []);
    const [ring] = await casesOf(s, 'merchant:M9');
    assert.ok(ring !== undefined, 'the ring opened a case');
    assert.equal(ring.issue, 'detector:cashout_ring');
    assert.equal(ring.items, 7, 'the finding and the six payments of the ring (the sixth joined the open case)');
    const got = await call(s.url, `/v1/cases/${ring.id}`, { key: s.keys.analyst });
    const finding = got.json.items.find((i: any) => i.ref === 'finding:cashout_ring');
    assert.equal(finding.kind, 'detector');
    assert.equal(finding.actor, 'detector:cashout_ring');
    const f = finding.detail;
    assert.equal(f.accounts, 6, 'refreshed by the sixth member');
    assert.equal(f.payments, 6);
    assert.equal(f.amount, 3 * 500_000 + 3 * 499_900);
    assert.equal(f.afterRepayment, 6);
    assert.deepEqual(f.sharedDevices, [{ deviceId: 'P1', accounts: ['C1', 'C2'] }]);
    assert.ok(f.risk >= 80, String(f.risk));
    assert.deepEqual(
      got.json.items.filter((i: any) => i.txId !== null).map((i: any) => i.txId),
      ['ring-0', 'ring-1', 'ring-2', 'ring-3', 'ring-4', 'ring-5'],
    );
    assert.equal(got.json.case.amount, f.amount);
    const ev = got.json.evidence;
    assert.deepEqual(ev.related.sharedDevices, [{ deviceId: 'P1', accounts: ['C1', 'C2'] }]);
    assert.equal(ev.related.accounts.length, 6);
    assert.ok(ev.related.sharedMerchants.some((m: any) => m.merchantId === 'M8' && m.accounts.join() === 'C0,C1'), JSON.stringify(ev.related.sharedMerchants));
    assert.equal(ev.subject.merchantId, 'M9');
    assert.ok(ev.subject.rating.drivers.some((d: any) => d.driver === 'cashout'), JSON.stringify(ev.subject.rating.drivers));
    assert.ok(ev.places[0].distanceFromAddressKm < 1);

    // the merchant rating shows the ring too
    const view = await call(s.url, '/v1/merchants/M9', { key: s.keys.analyst });
    assert.equal(view.json.rating.drivers[0].driver, 'cashout');
    assert.equal(view.json.rating.drivers[0].evidence.accounts, 6);

    // restart: the detector is rebuilt from the journal; a seventh member joins the same case, nothing twice
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    await feed(s.url, s.keys.admin, member(6, T + 3 * HOUR));
    const [after] = await casesOf(s, 'merchant:M9');
    assert.equal(after.id, ring.id);
    assert.equal(after.items, 8);
    const refreshed = await call(s.url, `/v1/cases/${ring.id}?evidence=false`, { key: s.keys.analyst });
    assert.equal(refreshed.json.items.find((i: any) => i.ref === 'finding:cashout_ring').detail.accounts, 7);

    // resolved as cash-out: the shop and the ring's accounts are known fraud from the next payment on
    const resolved = await call(s.url, `/v1/cases/${ring.id}/resolve`, { key: s.keys.admin, body: { resolution: 'fraud', typology: 'cashout' } });
    assert.equal(resolved.status, 200, resolved.text);
    assert.equal(resolved.json.labels, 8, 'seven payments and the merchant');
    const shop = await pay(s, tx(T + 5 * HOUR, { ...SHOP, accountId: 'L7', deviceId: 'E7', amount: 2_000 }));
    assert.ok(shop.reasons.some((r) => r.code === 'MERCHANT_CONFIRMED_FRAUD'), JSON.stringify(shop.reasons));
    assert.ok(shop.score > 0);
    const member3 = await pay(s, tx(T + 6 * HOUR, { accountId: 'C3', deviceId: 'P3', amount: 2_000 }));
    assert.ok(member3.reasons.some((r) => r.code === 'ACCOUNT_CONFIRMED_FRAUD'));
    const rated = await call(s.url, '/v1/merchants/M9', { key: s.keys.analyst });
    assert.equal(rated.json.rating.drivers[0].driver, 'confirmed_fraud');
    assert.equal(rated.json.rating.grade, 'E');
    const status = await call(s.url, '/v1/detectors', { key: s.keys.analyst });
    assert.equal(status.json.enabled, true);
    assert.equal(status.json.lagEntries, 0);
  } finally {
    await s.close();
  }
});

test('code jumping, a relocated terminal and second clearing open their cases; a single account does not', async () => {
  const s = await startTestServer({ dir: caseDir('concentration') });
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('B1'), account('B2')]);
    const M2 = { merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' };
    // one account jumping codes three times is its own business (its payments are reviewed), not a terminal finding
    for (let i = 0; i < 3; i++) await pay(s, tx(T + i * 10 * MIN, { ...M2, terminalId: 'T1', accountId: 'B2', deviceId: 'Q2' }));
    assert.deepEqual(await casesOf(s, 'terminal:T1'), []);
    // three accounts: T1 carries M2's code (跳码)
    for (const a of ['A1', 'B1']) await pay(s, tx(T + HOUR, { ...M2, terminalId: 'T1', accountId: a, deviceId: `Q-${a}` }));
    const [jump] = await casesOf(s, 'terminal:T1');
    assert.equal(jump.issue, 'detector:code_jumping');
    const got = await call(s.url, `/v1/cases/${jump.id}`, { key: s.keys.analyst });
    const finding = got.json.items.find((i: any) => i.ref === 'finding:code_jumping').detail;
    assert.deepEqual(finding.carried.merchantCarried, { M2: 5 });
    assert.deepEqual(finding.carried.mccCarried, { 5944: 5 });
    assert.equal(got.json.evidence.subject.terminalId, 'T1');
    assert.equal(got.json.evidence.subject.merchantId, 'M1');

    // T4 used in Guangzhou, far from its bound address in Shenzhen (移机)
    const M4 = { merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: GZ };
    for (const [i, a] of ['A1', 'B1', 'B2'].entries()) await pay(s, tx(T + 5 * HOUR + i * MIN, { ...M4, accountId: a, deviceId: `Q-${a}` }));
    const [moved] = await casesOf(s, 'terminal:T4');
    assert.equal(moved.issue, 'detector:relocated_terminal');
    assert.ok(got.json.evidence.places.length >= 1);

    // M3's payments through an acquirer nobody registered (二清)
    const M3 = { merchantId: 'M3', terminalId: 'T3', mcc: '5812', merchantName: '广州餐厅', geo: GZ, acquirerId: '11112222' };
    for (const [i, a] of ['A1', 'B1', 'B2'].entries()) await pay(s, tx(T + 8 * HOUR + i * MIN, { ...M3, accountId: a, deviceId: `Q-${a}` }));
    const [clearing] = await casesOf(s, 'merchant:M3');
    assert.equal(clearing.issue, 'detector:second_clearing');
    assert.ok(clearing.risk >= 65);
    const d = await call(s.url, '/v1/detectors', { key: s.keys.analyst });
    assert.deepEqual(
      [d.json.findings['detector:code_jumping'] > 0, d.json.findings['detector:relocated_terminal'] > 0, d.json.findings['detector:second_clearing'] > 0],
      [true, true, true],
    );
    assert.equal((await call(s.url, '/v1/detectors', { key: s.keys.decide })).status, 403);
  } finally {
    await s.close();
  }
});

test('a ring spread over colluding shops, four accounts at each, is found across them; separate pairs of customers are not', async () => {
  const dir = caseDir('spread-ring');
  const s = await startTestServer({ dir });
  try {
    const ts = at(-100 * 86_400_000);
    const shop = (n: number): Record<string, unknown> => ({ merchantId: `M${n}`, terminalId: `T${n}`, mcc: '5999', merchantName: `小卖部${n}`, geo: SZ });
    const registered = [5, 6, 7, 10, 11, 12].flatMap((n) => [
      { type: 'merchant', ts, merchantId: `M${n}`, name: `小卖部${n}`, mcc: '5999', acquirerId: '48021000', geo: SZ, region: '440304' },
      { type: 'terminal', ts, terminalId: `T${n}`, merchantId: `M${n}`, acquirerId: '48021000', geo: SZ },
    ]);
    await feed(s.url, s.keys.admin, [
      ...baseWorld(), ...registered,
      ...Array.from({ length: 6 }, (_, i) => account(`R${i}`, { creditLimit: 1_000_000 })),
      ...Array.from({ length: 6 }, (_, i) => account(`Q${i}`, { creditLimit: 1_000_000 })),
    ]);
    // each ring member cashes out ¥5,000 at two of three shops within a day: every shop sees four members
    const visits: [number, number[]][] = [[0, [5, 6]], [1, [5, 6]], [2, [6, 7]], [3, [6, 7]], [4, [5, 7]], [5, [5, 7]]];
    const ring = [0, 1].flatMap((round) =>
      visits.map(([i, shops], k) => tx(T + round * 3 * HOUR + k * 10 * MIN, { ...shop(shops[round]), id: `sp-${i}-${round}`, accountId: `R${i}`, deviceId: `S${i}`, amount: 500_000 })),
    );
    // look-alike: six customers, two per shop, each at one shop only (no account links shops)
    const alike = [0, 1, 2, 3, 4, 5].map((i) => tx(T + i * 10 * MIN, { ...shop(10 + Math.floor(i / 2)), id: `qa-${i}`, accountId: `Q${i}`, deviceId: `V${i}`, amount: 500_000 }));
    await feed(s.url, s.keys.admin, [...alike, ...ring].sort((a, b) => String(a.ts).localeCompare(String(b.ts))));

    for (const n of [10, 11, 12]) assert.deepEqual(await casesOf(s, `merchant:M${n}`), [], `M${n}`);
    for (const n of [5, 6, 7]) {
      const [c] = await casesOf(s, `merchant:M${n}`);
      assert.ok(c !== undefined, `M${n} has a ring case`);
      assert.equal(c.issue, 'detector:cashout_ring');
      const got = await call(s.url, `/v1/cases/${c.id}?evidence=false`, { key: s.keys.analyst });
      const f = got.json.items.find((i: any) => i.ref === 'finding:cashout_ring').detail;
      assert.deepEqual(f.spread, { merchants: ['M5', 'M6', 'M7'], accounts: 6 });
      assert.equal(f.accounts, 4, 'four of the ring at this shop');
      const paid = got.json.items.filter((i: any) => i.txId !== null).map((i: any) => i.txId).sort();
      assert.deepEqual(paid, ring.filter((p) => p.merchantId === `M${n}`).map((p) => p.id).sort());
    }
  } finally {
    await s.close();
  }
});
