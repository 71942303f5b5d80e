// Places through the real server: an account case's evidence carries the bound addresses of the
// terminals its payments were made at (boundTerminals), and the merchant page's full view carries
// where the merchant's latest payments were actually made (paymentPlaces), read through the payment
// index by merchant code; partners get neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, baseWorld, BJ, GZ, HOUR, SZ, SZ2, tx } from '../engine/world.js';
import { call, feed, startTestServer } from './helpers.js';
import { caseDir, casesOf, pay } from '../cases/helpers.js';

const T = 10 * HOUR;

test("an account case's evidence lists the bound addresses of the terminals it paid at", async () => {
  const s = await startTestServer({ dir: caseDir('places-evidence') });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    // an unregistered terminal (no bound address) asks for review and opens A1's case
    const r = await pay(s, tx(T, { id: 'p-1', terminalId: 'T404', amount: 30_000, geo: GZ }));
    assert.equal(r.outcome, 'review');
    const [c] = await casesOf(s, 'account:A1');
    const got = await call(s.url, `/v1/cases/${c.id}`, { key: s.keys.analyst });
    assert.equal(got.status, 200, got.text);
    const bound = got.json.evidence.boundTerminals as { terminalId: string; merchantId: string; boundAddress: { lat: number; lon: number }; payments: number; distanceFromHomeKm: number }[];
    assert.ok(Array.isArray(bound), 'boundTerminals is there');
    const t4 = bound.find((b) => b.terminalId === 'T4');
    assert.ok(t4 !== undefined, JSON.stringify(bound));
    assert.deepEqual([t4.merchantId, t4.boundAddress], ['M4', SZ2]);
    assert.ok(t4.payments >= 1);
    assert.ok(t4.distanceFromHomeKm < 5, 'T4 is bound near the Shenzhen home');
    assert.equal(bound.find((b) => b.terminalId === 'T404'), undefined, 'an unregistered terminal has no bound address');
    // the existing shape is kept
    assert.deepEqual(got.json.evidence.home, SZ);
    assert.ok(Array.isArray(got.json.evidence.places));
  } finally {
    await s.close();
  }
});

test("a merchant's page lists where its latest payments were made, against each terminal's bound address", async () => {
  const s = await startTestServer({ dir: caseDir('places-merchant') });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    // M4's terminal T4 (bound in Shenzhen) takes two payments in Beijing: moved
    await feed(s.url, s.keys.decide, [
      tx(T, { id: 'bj-1', merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: BJ }),
      tx(T + 2 * HOUR, { id: 'bj-2', merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: { lat: BJ.lat + 0.0005, lon: BJ.lon } }),
    ]);
    const full = await call(s.url, '/v1/merchants/M4', { key: s.keys.analyst });
    assert.equal(full.status, 200, full.text);
    const pp = full.json.paymentPlaces;
    assert.equal(pp.paymentsRead, 7, 'five days at the snack bar and two in Beijing');
    assert.equal(pp.withoutGeo, 0);
    assert.equal(pp.places.length, 2, 'one place in Shenzhen, one in Beijing (two payments within 0.01°)');
    const [sz, bj] = pp.places;
    assert.deepEqual([sz.terminalId, sz.payments, sz.lat, sz.lon, sz.distanceFromBoundAddressKm], ['T4', 5, SZ2.lat, SZ2.lon, 0]);
    assert.deepEqual([bj.terminalId, bj.payments, bj.first, bj.last], ['T4', 2, at(T), at(T + 2 * HOUR)]);
    assert.deepEqual(bj.boundAddress, SZ2);
    assert.ok(bj.distanceFromBoundAddressKm > 1900, String(bj.distanceFromBoundAddressKm));
    // other merchants' payments are not M4's places
    const m1 = await call(s.url, '/v1/merchants/M1', { key: s.keys.analyst });
    assert.ok(m1.json.paymentPlaces.places.every((p: { terminalId: string }) => p.terminalId !== 'T4'));
    // a partner's check carries no payment places
    const partner = await call(s.url, '/v1/merchants/M4', { key: s.keys.decide });
    assert.equal(partner.status, 200);
    assert.equal(partner.json.paymentPlaces, undefined);
  } finally {
    await s.close();
  }
});
