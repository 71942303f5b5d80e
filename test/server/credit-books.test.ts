// The issuer's open-to-buy and refunds through a real server: a card payment carrying
// `availableCredit` that the engine's own books would have declined is approved and counted as a
// contradiction on /metrics; the next payment of another account, drifted the same way and carrying
// no figure, is then not declined over the limit; a refund is taken; a bad figure is refused naming
// the field; a restart rebuilds the same books and counts from the journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';

const T = 10 * HOUR;
const M4 = { merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃' };
const spent = (who: string): Record<string, unknown>[] => [account(who), ...[0, 1, 2, 3].map((i) => tx(T - 4 * HOUR + i * HOUR, { id: `${who}-${i}`, accountId: who, deviceId: `d-${who}`, amount: 475_000, ...M4 }))];

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

test("the issuer's figure on a payment wins; a contradiction turns the engine's arithmetic into a signal; refunds are taken", async () => {
  const dir = tempDir();
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), ...spent('B1'), ...spent('B2')]);
    const bad = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T, { id: 'bad', accountId: 'B1', amount: 100, availableCredit: -5 }) });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /availableCredit/);
    const card = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T, { id: 'card', accountId: 'B1', deviceId: 'd-B1', amount: 200_000, availableCredit: 2_000_000, channel: 'card' }) });
    assert.equal(card.json.outcome, 'approve', card.text);
    const metrics = (await call(s.url, '/metrics', { key: s.keys.metrics })).text;
    assert.equal(gauge(metrics, 'fengkong_stream_issuer_credit_payments'), 1);
    assert.equal(gauge(metrics, 'fengkong_stream_credit_contradictions'), 1);
    assert.equal(gauge(metrics, 'fengkong_stream_own_credit_trusted'), 0);
    const qr = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T + HOUR, { id: 'qr', accountId: 'B2', deviceId: 'd-B2', amount: 200_000 }) });
    assert.notEqual(qr.json.outcome, 'decline', qr.text);
    assert.ok((qr.json.reasons as { code: string }[]).some((r) => r.code === 'OVER_LIMIT_BY_OWN_BOOKS'), qr.text);
    const refund = await call(s.url, '/v1/events', { key: s.keys.admin, body: { type: 'account_event', ts: '2026-11-10T12:00:00+08:00', accountId: 'B2', kind: 'refund', amount: 475_000, txId: 'B2-0' } });
    assert.ok(refund.status < 300, refund.text);
    assert.equal((await call(s.url, '/v1/events', { key: s.keys.admin, body: { type: 'account_event', ts: '2026-11-10T12:00:00+08:00', accountId: 'B2', kind: 'refund' } })).status, 400, 'a refund needs its amount');

    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    const after = (await call(s.url, '/metrics', { key: s.keys.metrics })).text;
    assert.equal(gauge(after, 'fengkong_stream_credit_contradictions'), 1, 'rebuilt from the journal');
    const view = (await call(s.url, '/v1/accounts/B2', { key: s.keys.analyst })).json;
    assert.equal(view.credit.outstanding, 1_900_000 + 200_000 - 475_000, 'four payments and the QR one let through, less the refund');
  } finally {
    await s.close();
  }
});
