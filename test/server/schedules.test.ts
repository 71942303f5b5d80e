// The embedded scheduler against a real server, on a clock the test moves: on Monday at 09:00
// (Asia/Shanghai) the weekly risk report of the week before is made and kept (GET /v1/reports, as
// JSON and HTML); every day at 08:00 the accounts on a watch list get a periodic_review case (the
// policy asks for one every day); a restart neither makes the report again nor forgets the last runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseWorld, HOUR, tx } from '../engine/world.js';
import { addAdmin, defaultFiles, publish, waitLive } from '../policy/helpers.js';
import { until } from '../helpers/webhook-receiver.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';

test('weekly report kept on Monday 09:00, periodic reviews at 08:00, durable across a restart', async () => {
  let clock = Date.parse('2026-11-16T08:30:00+08:00'); // a Monday, before the report's hour
  const schedules = { now: () => clock, tickMs: 50 };
  const dir = tempDir();
  let s = await startTestServer({ dir, schedules });
  try {
    const admin2 = addAdmin(dir);
    await feed(s.url, s.keys.admin, baseWorld());
    for (let i = 0; i < 5; i++) assert.equal((await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR + i * 60_000, { id: `week-${i}` }) })).status, 200);
    const files = defaultFiles();
    files['90-schedules.fk'] = 'setting schedules.review_every_days = 1\n';
    const { version } = await publish(s, s.keys.admin, admin2, files);
    await waitLive(s, s.keys.analyst, version);
    assert.equal((await call(s.url, '/v1/lists/watch_accounts/entries', { key: s.keys.admin, body: { value: 'A1', reason: 'chargeback last month' } })).status, 201);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual((await call(s.url, '/v1/reports', { key: s.keys.analyst })).json.reports, [], 'a new folder starts at the next slot');

    clock = Date.parse('2026-11-16T09:00:05+08:00');
    await until('the weekly report', async () => ((await call(s.url, '/v1/reports', { key: s.keys.analyst })).json.reports as unknown[]).length === 1);
    const listed = await call(s.url, '/v1/reports', { key: s.keys.analyst });
    const [kept] = listed.json.reports as { id: number; kind: string; from: number; to: number }[];
    assert.equal(kept.kind, 'weekly_risk');
    assert.equal(kept.from, Date.parse('2026-11-09T00:00:00+08:00'));
    assert.equal(kept.to, Date.parse('2026-11-16T00:00:00+08:00'));
    const body = await call(s.url, `/v1/reports/${kept.id}`, { key: s.keys.analyst });
    assert.equal(body.status, 200);
    assert.equal(body.json.body.totals.payments, 1 + 5, "the week's payments: the world's one of Monday the 9th and the five above");
    const html = await call(s.url, `/v1/reports/${kept.id}?format=html`, { key: s.keys.analyst });
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.text, /<!DOCTYPE html>/);
    const zh = await call(s.url, `/v1/reports/${kept.id}?format=html&lang=zh-CN`, { key: s.keys.analyst });
    assert.match(zh.text, /<h1>风险评估报告<\/h1>/, 'the kept report in Chinese');
    assert.equal((await call(s.url, '/v1/reports/99', { key: s.keys.analyst })).status, 404);

    // the next day at 08:00: the watched account gets its periodic review
    clock = Date.parse('2026-11-17T08:00:05+08:00');
    await until('the periodic review', async () => ((await call(s.url, '/v1/cases?subject=account:A1&issue=periodic_review', { key: s.keys.analyst })).json.cases as unknown[]).length === 1);

    // a restart at the same time: nothing runs again
    const lastRuns = listed.json.lastRuns;
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys, schedules });
    await new Promise((r) => setTimeout(r, 300));
    const after = await call(s.url, '/v1/reports', { key: s.keys.analyst });
    assert.equal((after.json.reports as unknown[]).length, 1);
    assert.equal(after.json.lastRuns.weekly_report, lastRuns.weekly_report);
    assert.equal(after.json.lastRuns.review_queue, Date.parse('2026-11-17T08:00:00+08:00'));
  } finally {
    await s.close();
  }
});
