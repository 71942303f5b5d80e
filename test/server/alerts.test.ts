// Alerts against a real server: a week of quiet 10:00 hours, then a 10:00 hour where two payments in
// five are declined raises one decline-rate alert (and none for the quiet days or a quiet hour); the
// alert is listed, acknowledged once, audited as raised by the monitor, and reaches a webhook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { account, DAY, DAY0, HOUR, MIN, registry, tx } from '../engine/world.js';
import { call, feed, startTestServer } from './helpers.js';

const ACCOUNTS = 40;

function quietHour(day: number, hour: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => tx(day * DAY + hour * HOUR + i * MIN, { accountId: `B${i % ACCOUNTS}`, deviceId: `DB${i % ACCOUNTS}`, amount: 5_000 + (i % 7) * 1_000 }));
}

async function until(what: string, ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a decline-rate spike against the same hour of the past week raises one alert: listed, acknowledged once, audited, sent to webhooks', async () => {
  const got: string[] = [];
  const rx = createServer((req: IncomingMessage, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      got.push(b);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const s = await startTestServer({ webhooks: { pollMs: 20 } });
  try {
    await feed(s.url, s.keys.admin, [...registry(), ...Array.from({ length: ACCOUNTS }, (_, i) => account(`B${i}`))]);
    const hook = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: `http://127.0.0.1:${(rx.address() as { port: number }).port}/h`, events: ['alert.raised'] } });
    assert.equal(hook.status, 201, hook.text);
    // seven quiet days at 09:00 and 10:00 (Asia/Shanghai), then a quiet 09:00 and a 10:00 with 24 payments over the limit
    const week: Record<string, unknown>[] = [];
    for (let d = -7; d <= -1; d++) week.push(...quietHour(d, 9, 40), ...quietHour(d, 10, 40));
    await feed(s.url, s.keys.admin, week);
    await feed(s.url, s.keys.admin, quietHour(0, 9, 60));
    const spike = Array.from({ length: 60 }, (_, i) =>
      tx(10 * HOUR + i * 30_000, { accountId: `B${i % ACCOUNTS}`, deviceId: `DB${i % ACCOUNTS}`, amount: i % 5 < 2 ? 3_000_000 : 6_000 }),
    );
    const answers = await feed(s.url, s.keys.admin, spike);
    const declined = answers.filter((a) => a.json.outcome === 'decline').length;
    assert.ok(declined >= 24, `${declined} of 60 declined`);

    let alerts: { id: number; metric: string; subject: string | null; hour: number; observed: number; expected: number; bound: number; message: string; ackedAt: number | null }[] = [];
    await until('the decline-rate alert', async () => {
      alerts = (await call(s.url, '/v1/alerts', { key: s.keys.analyst })).json.alerts;
      return alerts.some((a) => a.metric === 'decline_rate');
    });
    const decline = alerts.filter((a) => a.metric === 'decline_rate');
    assert.equal(decline.length, 1, JSON.stringify(alerts));
    const [a] = decline;
    assert.equal(new Date(a.hour).toISOString(), new Date(DAY0 + 10 * HOUR).toISOString(), 'the 10:00 hour of the last day');
    assert.ok(a.observed > a.bound && a.bound > a.expected, JSON.stringify(a));
    assert.ok(a.expected < 0.05, `the past week's decline rate at 10:00 was ${a.expected}`);
    assert.match(a.message, /decline rate .* of \d+ payments in the hour from 2026-11-10 10:00 \(Asia\/Shanghai\)/);
    assert.ok(!alerts.some((x) => new Date(x.hour).getUTCHours() === 1), 'nothing for the quiet 09:00 hour');

    const open = await call(s.url, '/v1/alerts?open=true', { key: s.keys.analyst });
    assert.ok((open.json.alerts as { id: number }[]).some((x) => x.id === a.id));
    const ack = await call(s.url, `/v1/alerts/${a.id}/ack`, { key: s.keys.analyst, body: { note: 'limit test by the issuer' } });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.json.ackNote, 'limit test by the issuer');
    assert.equal((await call(s.url, `/v1/alerts/${a.id}/ack`, { key: s.keys.analyst, body: {} })).status, 409, 'acknowledged once');
    assert.equal((await call(s.url, '/v1/alerts/999999/ack', { key: s.keys.analyst, body: {} })).status, 404);
    assert.equal((await call(s.url, `/v1/alerts/${a.id}/ack`, { key: s.keys.decide, body: {} })).status, 403);
    const stillOpen = await call(s.url, '/v1/alerts?open=true', { key: s.keys.analyst });
    assert.ok(!(stillOpen.json.alerts as { id: number }[]).some((x) => x.id === a.id));

    const audit = await call(s.url, `/v1/audit?target=alerts/${a.id}`, { key: s.keys.admin });
    assert.deepEqual((audit.json.entries as { action: string; actor: string }[]).map((e) => [e.action, e.actor.startsWith('system:') ? e.actor : 'key']).reverse(), [['alert.raise', 'system:alerts'], ['alert.ack', 'key']]);
    await until('the alert.raised webhook', async () => got.some((b) => (JSON.parse(b) as { data: { alertId: number } }).data.alertId === a.id));
    const ev = JSON.parse(got.find((b) => (JSON.parse(b) as { data: { alertId: number } }).data.alertId === a.id)!) as { type: string; data: { alert: { metric: string } } };
    assert.equal(ev.type, 'alert.raised');
    assert.equal(ev.data.alert.metric, 'decline_rate');
  } finally {
    await s.close();
    await new Promise<void>((r) => rx.close(() => r()));
  }
});
