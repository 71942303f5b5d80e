// Every kind of bad input the issue lists gets a clear JSON error with a stable code (and the field
// path where there is one), changes nothing, and the server answers the next request as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { account, registry, tx } from '../engine/world.js';
import { call, journalSeq, startTestServer, type CallOptions, type TestServer } from './helpers.js';

let s: TestServer;
let probe: string;
before(async () => {
  s = await startTestServer();
  await call(s.url, '/v1/events', { key: s.keys.admin, body: [...registry(), account('A1')] });
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(0, { id: 'probe' }) });
  assert.equal(r.status, 200);
  probe = r.text;
});
after(async () => {
  await s.close();
});

type Obj = Record<string, unknown>;
const good = (extra: Obj = {}): Obj => tx(3_600_000, { id: `bad-${Math.random()}`, ...extra });
const without = (key: string): Obj => {
  const t = good();
  delete t[key];
  return t;
};

/** Sends a bad request and checks the error, then that nothing changed and the server still serves. */
async function refused(
  path: string,
  o: CallOptions,
  want: { status: number; code: string; path?: string },
): Promise<void> {
  const seq = await journalSeq(s.url, s.keys.analyst);
  const r = await call(s.url, path, { key: s.keys.admin, ...o });
  assert.equal(r.status, want.status, `${r.status} ${r.text.slice(0, 300)}`);
  assert.match(String(r.headers['content-type']), /application\/json/);
  assert.equal(typeof r.json?.error?.message, 'string', r.text.slice(0, 300));
  assert.equal(r.json.error.code, want.code, r.text.slice(0, 300));
  if (want.path !== undefined) assert.equal(r.json.error.path, want.path, r.text.slice(0, 300));
  // nothing changed, and the server still answers
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq, 'journal unchanged');
  const again = await call(s.url, '/v1/decisions/probe', { key: s.keys.analyst });
  assert.equal(again.status, 200);
  assert.equal(again.text, probe);
}

const decisions = (body: unknown, want: { status?: number; code: string; path?: string }, o: CallOptions = {}) =>
  refused('/v1/decisions', { body, ...o }, { status: 400, ...want });

test('invalid JSON', async () => {
  await decisions('{"type":"transaction",', { code: 'invalid_json' });
  await decisions("{'type':'transaction'}", { code: 'invalid_json' });
  await decisions('{"a":1} trailing', { code: 'invalid_json' });
  await refused('/v1/events', { body: '[{"type":"account",]' }, { status: 400, code: 'invalid_json' });
});

test('empty body', async () => {
  await decisions('', { code: 'empty_body' });
  await decisions(' \n\t ', { code: 'empty_body' });
  await refused('/v1/events', { body: '' }, { status: 400, code: 'empty_body' });
});

test('wrong or missing content type', async () => {
  await decisions(good(), { status: 415, code: 'unsupported_media_type' }, { contentType: 'text/plain' });
  await decisions(good(), { status: 415, code: 'unsupported_media_type' }, { contentType: null });
  await decisions(good(), { status: 415, code: 'unsupported_media_type' }, { contentType: 'application/x-www-form-urlencoded' });
  await decisions(good(), { status: 415, code: 'unsupported_media_type' }, { contentType: 'application/json; charset=latin1' });
  const ok = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: good(), contentType: 'Application/JSON; charset=UTF-8' });
  assert.equal(ok.status, 200, 'a JSON type with utf-8 charset is accepted');
});

test('not an object, unknown or wrong event type', async () => {
  await decisions('[1,2]', { code: 'invalid_event', path: '' });
  await decisions('"tx"', { code: 'invalid_event', path: '' });
  await decisions('null', { code: 'invalid_event', path: '' });
  await decisions(good({ type: 'payment' }), { code: 'invalid_event', path: 'type' });
  await decisions(account('A9'), { code: 'invalid_event', path: 'type' });
  await refused('/v1/events', { body: [account('A9'), good()] }, { status: 400, code: 'invalid_event', path: '[1].type' });
  await refused('/v1/events', { body: [] }, { status: 400, code: 'invalid_event' });
});

test('missing or mistyped fields', async () => {
  for (const key of ['id', 'ts', 'accountId', 'amount', 'merchantId', 'terminalId']) {
    await decisions(without(key), { code: 'invalid_event', path: key });
  }
  await decisions(good({ amount: '100' }), { code: 'invalid_event', path: 'amount' });
  await decisions(good({ accountId: 42 }), { code: 'invalid_event', path: 'accountId' });
  await decisions(good({ channel: 'fax' }), { code: 'invalid_event', path: 'channel' });
  await decisions(good({ mcc: 5411 }), { code: 'invalid_event', path: 'mcc' });
  await decisions(good({ currency: 'yuan' }), { code: 'invalid_event', path: 'currency' });
  await decisions(good({ geo: [22.5, 114] }), { code: 'invalid_event', path: 'geo' });
});

test('negative, zero, fractional and absurd amounts', async () => {
  for (const amount of [-5, 0, 12.5, 1e20, 100_000_000_001, -0.01]) {
    await decisions(good({ amount }), { code: 'invalid_event', path: 'amount' });
  }
  await decisions('{"type":"transaction","id":"x","ts":"2026-11-24T21:05:09+08:00","accountId":"a","amount":1e400,"merchantId":"m","terminalId":"t"}', {
    code: 'invalid_event',
    path: 'amount',
  });
});

test('bad timestamps', async () => {
  for (const ts of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-31T00:00:00+08:00', '2026-11-24T21:05:09', '2026-11-24 21:05:09+08:00', '2026-11-24T25:00:00Z', '2026-11-24T21:05:09+19:00', 1764000000]) {
    await decisions(good({ ts }), { code: 'invalid_event', path: 'ts' });
  }
});

test('coordinates out of range', async () => {
  await decisions(good({ geo: { lat: 91, lon: 114 } }), { code: 'invalid_event', path: 'geo.lat' });
  await decisions(good({ geo: { lat: -90.0001, lon: 114 } }), { code: 'invalid_event', path: 'geo.lat' });
  await decisions(good({ geo: { lat: 22, lon: 180.5 } }), { code: 'invalid_event', path: 'geo.lon' });
  await decisions(good({ geo: { lat: 22, lon: -181 } }), { code: 'invalid_event', path: 'geo.lon' });
  await decisions(good({ geo: { lat: '22', lon: 114 } }), { code: 'invalid_event', path: 'geo.lat' });
  await decisions(good({ geo: { lat: 22 } }), { code: 'invalid_event', path: 'geo.lon' });
  await refused(
    '/v1/events',
    { body: [account('A7'), account('A8'), registry()[0], account('A9', { home: { lat: 100, lon: 0 } })] },
    { status: 400, code: 'invalid_event', path: '[3].home.lat' },
  );
});

test('ids over 128 characters', async () => {
  await decisions(good({ id: 'x'.repeat(129) }), { code: 'invalid_event', path: 'id' });
  await decisions(good({ accountId: 'a'.repeat(129) }), { code: 'invalid_event', path: 'accountId' });
  await decisions(good({ deviceId: 'd'.repeat(200) }), { code: 'invalid_event', path: 'deviceId' });
  await decisions(good({ id: '' }), { code: 'invalid_event', path: 'id' });
  await decisions(good({ id: 'tab\there' }), { code: 'invalid_event', path: 'id' });
  const ok = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: good({ id: 'y'.repeat(128) }) });
  assert.equal(ok.status, 200, 'exactly 128 is fine');
  await refused('/v1/decisions/' + 'z'.repeat(129), {}, { status: 404, code: 'not_found' });
});

test('__proto__, constructor and prototype keys, at any depth', async () => {
  const base = JSON.stringify(good()).slice(0, -1);
  await decisions(`{"__proto__":{"admin":true},${base.slice(1)}}`, { code: 'invalid_event', path: '__proto__' });
  await decisions(`${base},"geo":{"lat":1,"lon":2,"__proto__":{"x":1}}}`, { code: 'invalid_event', path: 'geo.__proto__' });
  await decisions(`${base},"extra":{"a":[1,{"b":{"__proto__":null}}]}}`, { code: 'invalid_event', path: 'extra.a[1].b.__proto__' });
  await decisions(`${base},"\\u005f_proto__":{"x":1}}`, { code: 'invalid_event', path: '__proto__' });
  await decisions(`${base},"meta":{"constructor":{"prototype":{}}}}`, { code: 'invalid_event', path: 'meta.constructor' });
  await refused(
    '/v1/events',
    { body: `[${JSON.stringify(account('A5'))},{"type":"account","ts":"2026-01-01T00:00:00Z","accountId":"A6","creditLimit":1,"home":{"lat":1,"lon":1,"__proto__":{}}}]` },
    { status: 400, code: 'invalid_event', path: '[1].home.__proto__' },
  );
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype was touched');
});

test('bodies over the size limit are 413, declared or streamed', async () => {
  const big = good({ merchantName: 'x', padding: 'p'.repeat(70 * 1024) });
  await decisions(big, { status: 413, code: 'payload_too_large' });
  await decisions(big, { status: 413, code: 'payload_too_large' }, { chunked: true });
  const events = Array.from({ length: 6000 }, (_, i) => account(`BIG${i}`, { padding: 'q'.repeat(200) }));
  await refused('/v1/events', { body: events }, { status: 413, code: 'payload_too_large' });
  await refused('/v1/events', { body: events, chunked: true }, { status: 413, code: 'payload_too_large' });
  const said = await call(s.url, '/v1/events', { key: s.keys.admin, body: events });
  assert.match(said.json.error.message, /larger than 1048576 bytes; send a bulk load as several arrays/);
  const ok = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: good({ padding: 'p'.repeat(60 * 1024) }) });
  assert.equal(ok.status, 200, 'just under the limit is fine');
});

test('deeply nested values', async () => {
  const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const base = JSON.stringify(good()).slice(0, -1);
  await decisions(`${base},"extra":${nest(40)}}`, { code: 'too_deep' });
  await decisions(`${base},"extra":${'{"a":'.repeat(33)}1${'}'.repeat(33)}}`, { code: 'too_deep' });
  await decisions(nest(30_000), { code: 'too_deep' });
  await refused('/v1/events', { body: nest(400_000) }, { status: 400, code: 'too_deep' });
  const ok = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: `${base},"note":"${'[{'.repeat(50)}","extra":${nest(20)}}` });
  assert.equal(ok.status, 200, `brackets inside strings do not count: ${ok.text}`);
});

test('a decision id that was never made', async () => {
  await refused('/v1/decisions/tx-never', {}, { status: 404, code: 'not_found' });
  await refused('/v1/decisions/%E0%A4%A', {}, { status: 404, code: 'not_found' });
});

test('an invalid event anywhere in an array applies none of it', async () => {
  const batch = [account('N1'), account('N2'), account('N3'), { ...account('N4'), creditLimit: -1 }];
  await refused('/v1/events', { body: batch }, { status: 400, code: 'invalid_event', path: '[3].creditLimit' });
  // N1 was not applied: a payment by N1 still sees an unregistered account
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: good({ accountId: 'N1' }) });
  assert.ok(r.json.reasons.some((x: { code: string }) => x.code === 'UNREGISTERED_ACCOUNT'), r.text);
});

test('a flood of bad requests leaves the server serving', async () => {
  const bad = ['', '{', '[]', '{"type":"transaction"}', 'null', '{"__proto__":1}'];
  const answers = await Promise.all(
    Array.from({ length: 120 }, (_, i) => call(s.url, '/v1/decisions', { key: s.keys.decide, body: bad[i % bad.length] })),
  );
  for (const a of answers) assert.equal(a.status, 400);
  const ok = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: good() });
  assert.equal(ok.status, 200);
});
