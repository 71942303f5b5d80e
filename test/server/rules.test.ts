// GET /v1/rules/performance on a real server whose data folder holds the hand-built report journal
// (test/report/fixture.ts; the server recovers it at start): the figures by hand, the same report as
// the library's, roles and bad parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRulePerformance } from '../../src/policy/rule-performance.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HOUR } from '../engine/world.js';
import { FROM, serverOverReportJournal, TO } from '../report/fixture.js';
import { call } from './helpers.js';

test('rule performance over HTTP: figures by hand, and the library\'s report', async () => {
  const s = await serverOverReportJournal();
  try {
    const r = await call(s.url, `/v1/rules/performance?from=2026-11-10&to=${TO}&bucket=hour`, { key: s.keys.analyst });
    assert.equal(r.status, 200, r.text);
    const p = r.json;
    assert.equal(p.bucket, 'hour');
    assert.deepEqual(p.range, { from: FROM, to: TO, fromTs: '2026-11-10T00:00:00+08:00', toTs: '2026-11-11T00:00:00+08:00' });
    assert.equal(p.totals.hits, 7);
    assert.equal(p.totals.fraud, 4);
    // MEDIUM_AMOUNT on c2 c3 c5 c6: 2 fraud (c3, c5), precision 1/2; its first hour (01:00) holds c2 and c3
    const medium = p.rules[0];
    assert.equal(medium.code, 'MEDIUM_AMOUNT');
    assert.deepEqual([medium.hits, medium.fraud, medium.precision, medium.amount, medium.fraudAmount], [4, 2, 0.5, 480000, 220000]);
    assert.deepEqual(medium.series[0].start, FROM + HOUR);
    assert.deepEqual(p.rules.map((x: { code: string; precision: number }) => [x.code, x.precision]), [
      ['MEDIUM_AMOUNT', 0.5], ['LARGE_AMOUNT', 0.5], ['BLOCKED_ACCOUNT', 1],
    ]);
    // the same as the library over the same file (read beside the running server)
    const store = new SqliteStore(s.dir, { readonly: true });
    const lib = runRulePerformance({ journal: store, from: FROM, to: TO, bucket: 'hour' });
    store.close();
    assert.deepEqual({ ...p, run: { ...p.run, durationMs: 0 } }, { ...lib, run: { ...lib.run, durationMs: 0 } });

    // defaults: the whole journal, by day
    const all = await call(s.url, '/v1/rules/performance', { key: s.keys.admin });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.bucket, 'day');
    assert.equal(all.json.totals.hits, 12);
    assert.equal(all.json.range.from, null);
  } finally {
    await s.close();
  }
});

test('rule performance over HTTP: roles and bad parameters name the field', async () => {
  const s = await serverOverReportJournal();
  try {
    assert.equal((await call(s.url, '/v1/rules/performance', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/rules/performance')).status, 401);
    const bad = async (q: string, path: string): Promise<void> => {
      const r = await call(s.url, `/v1/rules/performance?${q}`, { key: s.keys.analyst });
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.path, path, r.text);
    };
    await bad('bucket=month', 'bucket');
    await bad('from=soon', 'from');
    await bad(`from=${TO}&to=${FROM}`, 'to');
    await bad(`from=${FROM}&to=${FROM}`, 'to');
    await bad('from=2020-01-01&to=2026-01-01&bucket=hour', 'bucket');
    assert.equal((await call(s.url, '/v1/rules/performance', { key: s.keys.analyst, method: 'POST', body: {} })).status, 405);
  } finally {
    await s.close();
  }
});
