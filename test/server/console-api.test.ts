// The analyst console's API: GET /v1/whoami for every role, GET /v1/overview's role matrix, its
// figures against the decisions actually answered (counts, outcome mix, reason codes, score
// histogram, latency quantiles), open cases by priority band, and both routes in the OpenAPI
// document with their roles and answer schemas (real answers checked against those schemas).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRIORITY_BANDS } from '../../src/cases/types.js';
import { generateKey, hashKey, keyIdOf, permissionsOf } from '../../src/server/auth.js';
import { bucketUpperUs, latencyBucket } from '../../src/server/live-window.js';
import { Overview, WhoAmI } from '../../src/server/schemas/console.js';
import { schemaAjv } from '../../src/server/schemas/validator.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROLES } from '../../src/keys/store.js';
import { account, HOUR, MIN, registry, tx } from '../engine/world.js';
import { call, createKeys, journalSeq, startTestServer, tempDir, type Answer, type TestServer } from './helpers.js';

const ajv = schemaAjv(false);
const checkWhoAmI = ajv.compile(WhoAmI);
const checkOverview = ajv.compile(Overview);

/** Decisions of every outcome: ordinary payments, velocity, an unlicensed acquirer, an unknown shop, a shared device. */
function traffic(): Record<string, unknown>[] {
  const txs: Record<string, unknown>[] = [];
  for (let i = 0; i < 12; i++) txs.push(tx(i * MIN, { amount: 5_000 + i * 1_000 }));
  txs.push(tx(20 * MIN, { acquirerId: '48029999' }));
  txs.push(tx(21 * MIN, { accountId: 'A2', amount: 95_000 }));
  txs.push(tx(22 * MIN, { merchantId: 'M9', terminalId: 'T9' }));
  txs.push(tx(23 * MIN, { accountId: 'A3', amount: 1_500_000, merchantId: 'M2', terminalId: 'T2', mcc: '5944', geo: { lat: 39.9, lon: 116.4 } }));
  txs.push(tx(3 * HOUR, { accountId: 'A9' }));
  for (let i = 0; i < 8; i++) txs.push(tx(4 * HOUR + i * 1_000, { accountId: 'A3', amount: 10_000 }));
  return txs;
}

describe('GET /v1/whoami', () => {
  let s: TestServer;
  const named = generateKey();
  before(async () => {
    const dir = tempDir();
    const keys = createKeys(dir);
    const store = new SqliteStore(dir);
    store.createKey(hashKey(named), 'analyst', 'console-ana');
    store.close();
    s = await startTestServer({ dir, keys });
  });
  after(() => s.close());

  test('every role learns its key id, role and the permissions the server will grant it', async () => {
    for (const role of ROLES) {
      const r = await call(s.url, '/v1/whoami', { key: s.keys[role] });
      assert.equal(r.status, 200, `${role}: ${r.text}`);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.deepEqual(r.json, { keyId: keyIdOf(hashKey(s.keys[role])), role, permissions: permissionsOf(role) }, 'no name for a key without one');
      assert.ok(checkWhoAmI(r.json), JSON.stringify(checkWhoAmI.errors));
    }
    const perms = async (role: (typeof ROLES)[number]) => (await call(s.url, '/v1/whoami', { key: s.keys[role] })).json.permissions;
    assert.deepEqual(await perms('analyst'), ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self']);
    assert.deepEqual(await perms('support'), ['support', 'appeal', 'self']);
    assert.deepEqual(await perms('decide'), ['decide', 'docs', 'self']);
    assert.deepEqual(await perms('ingest'), ['ingest', 'docs', 'self']);
    assert.deepEqual(await perms('metrics'), ['metrics', 'self']);
    assert.deepEqual(await perms('admin'), ['decide', 'ingest', 'read', 'docs', 'work_cases', 'hold', 'act', 'backtest', 'metrics', 'admin', 'support', 'appeal', 'self']);
  });

  test('a key created with a label says it', async () => {
    const r = await call(s.url, '/v1/whoami', { key: named });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { keyId: keyIdOf(hashKey(named)), role: 'analyst', name: 'console-ana', permissions: permissionsOf('analyst') });
    assert.ok(checkWhoAmI(r.json));
  });

  test('401 without a valid key', async () => {
    const none = await call(s.url, '/v1/whoami');
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'unauthorized');
    const wrong = await call(s.url, '/v1/whoami', { key: generateKey() });
    assert.equal(wrong.status, 401);
  });
});

describe('GET /v1/overview with detectors on', () => {
  let s: TestServer;
  const answers: Answer[] = [];
  /** Bounds of when the server began counting (its start), as this test saw it. */
  let startedFrom = 0;
  let listening = 0;
  before(async () => {
    startedFrom = Date.now();
    s = await startTestServer();
    listening = Date.now();
    const r = await call(s.url, '/v1/events', { key: s.keys.admin, body: [...registry(), account('A1'), account('A2', { creditLimit: 100_000 }), account('A3')] });
    assert.equal(r.status, 202, r.text);
    for (const t of traffic()) {
      const a = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: t });
      assert.equal(a.status, 200, a.text);
      answers.push(a);
    }
    // a replay of a known id is no new decision: it must not count
    assert.equal((await call(s.url, '/v1/decisions', { key: s.keys.decide, body: { ...traffic()[0], id: answers[0].json.txId } })).headers['fengkong-replayed'], 'true');
  });
  after(() => s.close());

  test('analyst and admin read it; support and decide may not (403); no key 401', async () => {
    for (const role of ['analyst', 'admin'] as const) {
      const r = await call(s.url, '/v1/overview', { key: s.keys[role] });
      assert.equal(r.status, 200, `${role}: ${r.text}`);
      assert.equal(r.headers['cache-control'], 'no-store');
    }
    for (const role of ['support', 'decide'] as const) {
      const r = await call(s.url, '/v1/overview', { key: s.keys[role] });
      assert.equal(r.status, 403, role);
      assert.equal(r.json.error.code, 'forbidden');
    }
    assert.equal((await call(s.url, '/v1/overview')).status, 401);
  });

  test('its figures are exactly those of the decisions answered in the last minute', async () => {
    const ds = answers.map((a) => a.json as { outcome: string; score: number; reasons: { code: string }[]; latencyUs: number });
    const outcomes = { approve: 0, review: 0, challenge: 0, decline: 0 } as Record<string, number>;
    const hits = new Map<string, number>();
    const bins = new Array<number>(10).fill(0);
    for (const d of ds) {
      outcomes[d.outcome]++;
      for (const r of d.reasons) hits.set(r.code, (hits.get(r.code) ?? 0) + 1);
      bins[Math.min(9, Math.floor(d.score / 10))]++;
    }
    assert.ok(Object.values(outcomes).every((n) => n > 0), `the traffic gives every outcome: ${JSON.stringify(outcomes)}`);
    const top = [...hits].map(([code, n]) => ({ code, hits: n })).sort((a, b) => b.hits - a.hits || (a.code < b.code ? -1 : 1)).slice(0, 10);
    const latencies = ds.map((d) => d.latencyUs).sort((a, b) => a - b);
    const q = (p: number): number => bucketUpperUs(latencyBucket(latencies[Math.ceil(p * latencies.length) - 1]));

    const asked = Date.now();
    const r = await call(s.url, '/v1/overview', { key: s.keys.analyst });
    const answered = Date.now();
    assert.equal(r.status, 200, r.text);
    const o = r.json;
    assert.ok(checkOverview(o), JSON.stringify(checkOverview.errors));
    assert.match(o.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
    assert.ok(Math.abs(Date.parse(o.at) - Date.now()) < 5_000);
    assert.equal(o.windowSeconds, 60);
    // the server is less than a minute old: the rate divides by the seconds since it started
    const longest = Math.max(1, Math.min(60, (answered - startedFrom) / 1000));
    const shortest = Math.max(1, (asked - listening) / 1000);
    assert.ok(answered - startedFrom < 59_000, 'the test ran within the first minute');
    assert.ok(o.decisionsPerSecond >= ds.length / longest - 0.0005 && o.decisionsPerSecond <= ds.length / shortest + 0.0005, `${o.decisionsPerSecond} /s for ${ds.length} decisions`);
    assert.deepEqual(o.outcomes, outcomes);
    assert.deepEqual(o.topRules, top);
    assert.ok(hits.size > 10, 'more codes than listed: the list is cut at 10');
    assert.deepEqual(o.scoreHistogram, bins.map((count, i) => ({ from: i * 10, to: i * 10 + 10, count })));
    assert.deepEqual(o.latencyUs, { p50: q(0.5), p99: q(0.99) });
    assert.ok(o.latencyUs.p50 <= o.latencyUs.p99);
    assert.deepEqual(o.journal, { lastSeq: await journalSeq(s.url, s.keys.analyst), pendingEntries: 0 });
    assert.ok(o.caseFeed !== null && Number.isInteger(o.caseFeed.behind) && o.caseFeed.behind >= 0, 'detectors are on');
    // the engine's clock: where the data is (the fed world's November), not the wall clock
    assert.match(o.eventTime, /^2026-11-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
    assert.deepEqual(o.openCases.byPriority.map((b: { band: string }) => b.band), ['critical', 'high', 'medium', 'low']);
  });

  test('GET /v1/openapi.json lists both routes with their roles and answer schemas', async () => {
    const doc = (await call(s.url, '/v1/openapi.json', { key: s.keys.analyst })).json;
    const who = doc.paths['/v1/whoami'].get;
    assert.match(who.description, /Permission `self`; roles: decide, ingest, analyst, admin, support, metrics\./);
    assert.deepEqual(who.responses['200'].content['application/json'].schema, JSON.parse(JSON.stringify(WhoAmI)));
    const ov = doc.paths['/v1/overview'].get;
    assert.match(ov.description, /Permission `read`; roles: analyst, admin\./);
    assert.deepEqual(ov.responses['200'].content['application/json'].schema, JSON.parse(JSON.stringify(Overview)));
    assert.equal(Object.keys(doc.paths).some((p) => p.startsWith('/console')), false, 'the static console is no API route');
  });
});

describe('GET /v1/overview with detectors off: open cases by priority band', () => {
  let s: TestServer;
  before(async () => {
    const was = process.env.FENGKONG_DETECTORS;
    process.env.FENGKONG_DETECTORS = 'off';
    try {
      s = await startTestServer();
    } finally {
      if (was === undefined) delete process.env.FENGKONG_DETECTORS;
      else process.env.FENGKONG_DETECTORS = was;
    }
  });
  after(() => s.close());

  test('an empty server: zeros everywhere, no latency, no case feed', async () => {
    const o = (await call(s.url, '/v1/overview', { key: s.keys.admin })).json;
    assert.ok(checkOverview(o), JSON.stringify(checkOverview.errors));
    assert.deepEqual(
      { ...o, at: null },
      {
        at: null, windowSeconds: 60, decisionsPerSecond: 0, outcomes: { approve: 0, review: 0, challenge: 0, decline: 0 },
        latencyUs: { p50: null, p99: null }, topRules: [], scoreHistogram: Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: 0 })),
        openCases: { total: 0, byPriority: PRIORITY_BANDS.map((b) => ({ band: b.band, count: 0 })) },
        journal: { lastSeq: 0, pendingEntries: 0 }, caseFeed: null, eventTime: null,
      },
    );
  });

  test('cases opened through the API are counted in their band until resolved', async () => {
    // priority = risk × fen / 100: ¥20,000 at 60 → ¥12,000 critical; ¥3,000 at 60 → ¥1,800 high;
    // ¥500 at 70 → ¥350 medium; ¥100 at 50 → ¥50 low; nothing at stake → low
    const open = async (subjectId: string, risk: number, amount: number): Promise<string> => {
      const r = await call(s.url, '/v1/cases', { key: s.keys.analyst, body: { subjectKind: 'account', subjectId, note: 'seen on the console', risk, amount } });
      assert.equal(r.status, 201, r.text);
      return r.json.caseId as string;
    };
    await open('C1', 60, 2_000_000);
    await open('H1', 60, 300_000);
    const h2 = await open('H2', 100, 100_000);
    await open('M1', 70, 50_000);
    await open('L1', 50, 10_000);
    await open('L2', 50, 0);
    const gone = await open('C2', 90, 5_000_000);
    const resolved = await call(s.url, `/v1/cases/${gone}/resolve`, { key: s.keys.analyst, body: { resolution: 'legitimate' } });
    assert.equal(resolved.status, 200, resolved.text);
    const working = await call(s.url, `/v1/cases/${h2}/status`, { key: s.keys.analyst, body: { status: 'investigating' } });
    assert.equal(working.status, 200, working.text);
    const o = (await call(s.url, '/v1/overview', { key: s.keys.analyst })).json;
    assert.deepEqual(o.openCases, {
      total: 6,
      byPriority: [{ band: 'critical', count: 1 }, { band: 'high', count: 2 }, { band: 'medium', count: 1 }, { band: 'low', count: 2 }],
    });
    assert.equal(o.caseFeed, null);
  });
});
