// GET /v1/reports/risk on a real server over the hand-built report journal: the JSON, the HTML
// variant, roles and bad parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { call } from '../server/helpers.js';
import { FROM, serverOverReportJournal, TO } from './fixture.js';

test('risk report over HTTP: JSON and HTML', async () => {
  const s = await serverOverReportJournal();
  try {
    const r = await call(s.url, `/v1/reports/risk?from=${FROM}&to=2026-11-11T00:00:00%2B08:00&minPayments=1`, { key: s.keys.analyst });
    assert.equal(r.status, 200, r.text);
    const j = r.json;
    assert.equal(j.bucket, 'hour');
    assert.equal(j.totals.payments, 7);
    assert.equal(j.totals.moneySaved, 100000);
    assert.equal(j.totals.legitimateDeclinedAmount, 200000);
    assert.equal(j.previousTotals.payments, 4);
    assert.deepEqual(j.scores.current, [2, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
    assert.equal(j.scores.band, 'significant');
    assert.deepEqual(j.merchants.byFlaggedShare.map((e: { id: string }) => e.id), ['M2', 'M3', 'M1']);
    // the data folder's case queue (the case service creates its table at start): the open ones counted
    const store = new SqliteStore(s.dir, { readonly: true });
    const open = (store.database.prepare("SELECT count(*) AS n FROM cases WHERE status <> 'resolved'").get() as { n: number }).n;
    store.close();
    assert.equal(j.cases.available, true);
    assert.equal(j.cases.open, open);
    assert.equal(j.series.length, 24);
    // the live engine's current ratings (recovered from the journal at start) join the report
    assert.equal(typeof j.ratings.asOf, 'string');
    assert.ok(Array.isArray(j.ratings.merchants) && Array.isArray(j.ratings.terminals));
    for (const e of [...j.merchants.byFraudAmount, ...j.terminals.byFlaggedShare]) assert.match(e.rating.grade, /^[A-E]$/);
    for (const e of j.ratings.merchants) assert.ok(e.score > 0 && /^[A-E]$/.test(e.grade), JSON.stringify(e));

    const h = await call(s.url, `/v1/reports/risk?from=${FROM}&to=${TO}&bucket=day&format=html&top=1`, { key: s.keys.admin });
    assert.equal(h.status, 200, h.text);
    assert.match(String(h.headers['content-type']), /^text\/html/);
    const html = h.text;
    const negotiated = await call(s.url, `/v1/reports/risk?from=${FROM}&to=${TO}&bucket=day&top=1`, { key: s.keys.admin, headers: { accept: 'text/html' } });
    assert.match(String(negotiated.headers['content-type']), /^text\/html/);
    assert.ok(negotiated.text.startsWith('<!DOCTYPE html>'));
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok((html.match(/<svg /g) ?? []).length >= 7);
    assert.match(html, /rating now/);
    assert.match(html, /<section id="ratings">/);
    const block = /<script type="application\/json" id="fengkong-report">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(block);
    const embedded = JSON.parse(block[1]);
    assert.equal(embedded.bucket, 'day');
    assert.equal(embedded.merchants.byFraudAmount.length, 1);
  } finally {
    await s.close();
  }
});

test('risk report over HTTP: roles and bad parameters name the field', async () => {
  const s = await serverOverReportJournal();
  try {
    const q = `from=${FROM}&to=${TO}`;
    assert.equal((await call(s.url, `/v1/reports/risk?${q}`, { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, `/v1/reports/risk?${q}`)).status, 401);
    const bad = async (query: string, path: string): Promise<void> => {
      const r = await call(s.url, `/v1/reports/risk?${query}`, { key: s.keys.analyst });
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_request');
      assert.equal(r.json.error.path, path, r.text);
    };
    await bad(`to=${TO}`, 'from');
    await bad(`from=${FROM}`, 'to');
    await bad(`from=${TO}&to=${FROM}`, 'to');
    await bad(`from=nope&to=${TO}`, 'from');
    await bad(`${q}&bucket=minute`, 'bucket');
    await bad(`from=2000-01-01&to=${TO}&bucket=hour`, 'bucket');
    await bad(`${q}&format=pdf`, 'format');
    await bad(`${q}&top=0`, 'top');
  } finally {
    await s.close();
  }
});
