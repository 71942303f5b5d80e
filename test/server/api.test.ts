// Each API call against the real server, and the role matrix (401 without a valid key, 403 for a
// role that may not do it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { registry, account, tx } from '../engine/world.js';
import { call, journalSeq, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s.close();
});

test('POST /v1/events takes one event or an array and answers 202 with the count', async () => {
  const seq0 = await journalSeq(s.url, s.keys.analyst);
  const one = await call(s.url, '/v1/events', { key: s.keys.ingest, body: account('A1') });
  assert.equal(one.status, 202, one.text);
  assert.deepEqual(one.json, { accepted: 1 });
  const many = await call(s.url, '/v1/events', { key: s.keys.admin, body: registry() });
  assert.equal(many.status, 202, many.text);
  assert.deepEqual(many.json, { accepted: registry().length });
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq0 + 1 + registry().length);
});

test('POST /v1/decisions answers the contract decision plus policy, seq and timing', async () => {
  const t = tx(0, { id: 'api-tx-1' });
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: t });
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /application\/json/);
  const d = r.json;
  assert.equal(d.txId, 'api-tx-1');
  assert.ok(['approve', 'review', 'challenge', 'decline'].includes(d.outcome));
  assert.equal(typeof d.score, 'number');
  assert.ok(d.score >= 0 && d.score <= 100);
  assert.ok(Array.isArray(d.reasons));
  for (const reason of d.reasons) assert.equal(typeof reason.code, 'string');
  assert.equal(d.policy, 'default');
  assert.ok(Number.isInteger(d.seq) && d.seq > 0);
  assert.ok(Number.isInteger(d.latencyUs) && d.latencyUs >= 0);
  assert.equal(r.headers['fengkong-replayed'], undefined);
});

test('GET /v1/decisions/{txId} returns the decision exactly as answered; 404 when never made', async () => {
  const t = tx(60_000, { id: 'api tx/2 ü' });
  const posted = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: t });
  assert.equal(posted.status, 200);
  const got = await call(s.url, `/v1/decisions/${encodeURIComponent('api tx/2 ü')}`, { key: s.keys.analyst });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.text, posted.text);
  const missing = await call(s.url, '/v1/decisions/never-made', { key: s.keys.admin });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
});

test('GET /healthz needs no key and then says only ok; with a valid key of any role, the detail', async () => {
  const r = await call(s.url, '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true }, 'no journal position, policy or other internals without a key');
  const bad = await call(s.url, '/healthz', { key: 'fk_not-a-key' });
  assert.deepEqual([bad.status, bad.json], [200, { ok: true }], 'a wrong key is no key: still only ok');
  for (const role of ['decide', 'analyst', 'admin', 'support'] as const) {
    const d = await call(s.url, '/healthz', { key: s.keys[role] });
    assert.equal(d.status, 200);
    assert.equal(d.json.ok, true);
    assert.equal(d.json.status, 'ok');
    assert.equal(d.json.policy, 'default');
    assert.equal(typeof d.json.journalSeq, 'number');
  }
});

test('GET /metrics is Prometheus text with requests, latency, outcomes and journal figures', async () => {
  const r = await call(s.url, '/metrics', { key: s.keys.analyst });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  const m = r.text;
  assert.match(m, /fengkong_http_requests_total\{route="POST \/v1\/decisions",status="200"\} \d+/);
  assert.match(m, /fengkong_http_request_duration_seconds_bucket\{route="POST \/v1\/decisions",le="\+Inf"\} \d+/);
  const outcomes = [...m.matchAll(/fengkong_decisions_total\{outcome="\w+"\} (\d+)/g)].map((x) => Number(x[1]));
  assert.equal(outcomes.length, 4);
  assert.ok(outcomes.reduce((a, b) => a + b, 0) >= 2);
  assert.match(m, /fengkong_journal_batch_size_count \d+/);
  assert.match(m, /fengkong_journal_commit_duration_seconds_sum [\d.e-]+/);
  assert.match(m, /fengkong_journal_pending_entries \d+/);
  assert.match(m, /fengkong_journal_lag_seconds [\d.e-]+/);
  assert.match(m, /fengkong_recovery_seconds [\d.e-]+/);
  // what the traffic feeds: the registry events of this file's first test, and no repayment yet
  assert.match(m, /\nfengkong_stream_merchant_registrations 4\n/);
  assert.match(m, /\nfengkong_stream_terminal_registrations 4\n/);
  assert.match(m, /\nfengkong_stream_acquirer_registrations 3\n/);
  assert.match(m, /\nfengkong_stream_account_registrations [1-9]\d*\n/);
  assert.match(m, /\nfengkong_stream_repayments 0\n/);
});

test('GET /v1/openapi.json describes every route in OpenAPI 3.1', async () => {
  const r = await call(s.url, '/v1/openapi.json', { key: s.keys.decide });
  assert.equal(r.status, 200);
  const doc = r.json;
  assert.equal(doc.openapi, '3.1.0');
  for (const p of ['/v1/decisions', '/v1/events', '/v1/decisions/{txId}', '/healthz', '/metrics', '/v1/openapi.json']) {
    assert.ok(doc.paths[p], `documents ${p}`);
  }
  assert.ok(doc.components.schemas.Transaction.required.includes('amount'));
  assert.ok(doc.components.schemas.Error.properties.error.properties.code.enum.includes('payload_too_large'));
});

// The role matrix: who may call what.
const ROUTES = [
  { name: 'POST /v1/decisions', path: '/v1/decisions', body: () => tx(7_200_000, { id: `role-${Math.random()}` }), ok: 200, allowed: ['decide', 'admin'] },
  { name: 'POST /v1/events', path: '/v1/events', body: () => account('R1'), ok: 202, allowed: ['ingest', 'admin'] },
  { name: 'GET /v1/decisions/{txId}', path: '/v1/decisions/api-tx-1', ok: 200, allowed: ['analyst', 'admin'] },
  { name: 'GET /metrics', path: '/metrics', ok: 200, allowed: ['analyst', 'admin', 'metrics'] },
  { name: 'GET /v1/openapi.json', path: '/v1/openapi.json', ok: 200, allowed: ['decide', 'ingest', 'analyst', 'admin'] },
] as const;

for (const route of ROUTES) {
  test(`roles: ${route.name} allows ${route.allowed.join(', ')} and refuses the rest`, async () => {
    const body = 'body' in route ? route.body() : undefined;
    for (const role of ['decide', 'ingest', 'analyst', 'admin', 'support', 'metrics'] as const) {
      const r = await call(s.url, route.path, { key: s.keys[role], body: 'body' in route ? route.body() : undefined });
      if ((route.allowed as readonly string[]).includes(role)) assert.equal(r.status, route.ok, `${role}: ${r.text}`);
      else {
        assert.equal(r.status, 403, `${role} must be refused`);
        assert.equal(r.json.error.code, 'forbidden');
      }
    }
    const unauth = [
      {},
      { key: 'fk_not-a-real-key' },
      { headers: { authorization: s.keys.admin } },
      { headers: { authorization: `Basic ${s.keys.admin}` } },
      { key: s.keys.admin.slice(0, -1) },
    ];
    for (const o of unauth) {
      const seq = await journalSeq(s.url, s.keys.analyst);
      const r = await call(s.url, route.path, { ...o, body });
      assert.equal(r.status, 401, JSON.stringify(o));
      assert.equal(r.json.error.code, 'unauthorized');
      assert.match(String(r.headers['www-authenticate']), /^Bearer/);
      if (body !== undefined) assert.equal(r.headers.connection, 'close', 'an unread body is not drained: the connection closes');
      assert.equal(await journalSeq(s.url, s.keys.analyst), seq, 'a refused call changes nothing');
    }
  });
}

test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
  const r = await call(s.url, '/v2/anything', { key: s.keys.admin });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  const m = await call(s.url, '/v1/decisions', { method: 'GET', key: s.keys.admin });
  assert.equal(m.status, 405);
  assert.equal(m.json.error.code, 'method_not_allowed');
  assert.equal(m.headers.allow, 'POST');
  const d = await call(s.url, '/v1/decisions/x', { method: 'DELETE', key: s.keys.admin });
  assert.equal(d.status, 405);
  assert.equal(d.headers.allow, 'GET, HEAD');
});
