// Property tests of the HTTP API: one real server, random and mutated requests with valid keys.
// Whatever is sent, the answer is JSON and never a 5xx; a refusal (4xx) is a JSON error with a code
// and changes nothing: the journal's seq and the audit log's newest entry stay where they were.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { account, registry, tx } from '../engine/world.js';
import { call, journalSeq, startTestServer, type Answer, type TestServer } from '../server/helpers.js';
import { params } from './config.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

let s: TestServer;
before(async () => {
  s = await startTestServer();
  const r = await call(s.url, '/v1/events', { key: s.keys.admin, body: [...registry(), account('A1')] });
  assert.equal(r.status < 300, true, r.text);
});
after(async () => {
  await s.close();
});

const NASTY: Json[] = [
  null, true, false, 0, -1, 0.5, 1e308, 2 ** 53 + 2, 100_000_000_001, 'NaN', 'Infinity', '', ' ', ' a', '\u0000', '\u200b',
  '\ud800', '💳', 'x'.repeat(129), '5411', 'CNY', 'qr', '2026-11-24T21:05:09+08:00', '0001-01-01T00:00:00Z', {}, [], [1],
  { lat: 91, lon: 0 },
];
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);
const key = fc.oneof(
  fc.constantFrom('type', 'id', 'ts', 'accountId', 'amount', 'merchantId', 'terminalId', 'value', 'reason', 'expiresAt', 'name', 'kind', 'purpose', 'text', 'description', 'files', 'parent', 'model', '__proto__', 'constructor'),
  fc.string({ maxLength: 6 }),
);

/** A body: a template with up to three fields dropped, replaced or added. */
function mutated(template: () => Record<string, Json>): fc.Arbitrary<Record<string, Json>> {
  return fc.array(fc.tuple(fc.constantFrom('drop', 'set', 'add'), fc.nat(), key, nasty), { minLength: 1, maxLength: 3 }).map((ms) => {
    const o = template();
    for (const [op, i, k, v] of ms) {
      const keys = Object.keys(o);
      if (op === 'drop' && keys.length > 0) delete o[keys[i % keys.length]];
      else if (op === 'set' && keys.length > 0) o[keys[i % keys.length]] = v;
      else Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return o;
  });
}

const txBody = (): Record<string, Json> => tx(3_600_000, { id: `fz-${Math.random().toString(36).slice(2)}` }) as Record<string, Json>;
const DEEP = ['(', 'not ', 'known(', 'abs('];
const policyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(...DEEP)).map(([n, o]) => `rule R\n  when ${o.repeat(n)}amount > 1${o.endsWith('(') ? ')'.repeat(n) : ''}\n  score 1\n`),
  fc.integer({ min: 1, max: 60 }).map((n) => `rule R\n  when ${'known('.repeat(n)}amount > 1${')'.repeat(n)}\n  score 1\n`),
);

interface Req {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string | null;
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data', '') },
);
const rawText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('{', '[', '{"type":', 'null', '"x"', '[]', '{}', '1e999', '{"__proto__":{"x":1}}', '[' + '['.repeat(5000)));
const segment = fc.oneof(fc.constantFrom('v1', 'decisions', 'events', 'lists', 'block_devices', 'entries', 'cases', 'notes', 'policies', 'validate', 'modes', 'keys', 'audit', '..', '%00', '%ZZ', '🙂', ''), fc.string({ maxLength: 8 }).map(encodeURIComponent));

const request: fc.Arbitrary<Req> = fc.oneof(
  fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/decisions'), body: fc.oneof(mutated(txBody), rawText, fc.array(mutated(txBody), { maxLength: 2 })), contentType }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/events'), body: fc.oneof(mutated(() => account(`fz-${Math.random()}`) as Record<string, Json>), fc.array(mutated(txBody), { maxLength: 3 }), rawText), contentType }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('block_devices', 'block_accounts', 'nope', 'UPPER', '__proto__', '%20').map((n) => `/v1/lists/${n}/entries`),
    body: fc.oneof(mutated(() => ({ value: 'dev-fuzz', reason: 'fuzz', expiresAt: null })), rawText),
    contentType,
  }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/lists'), body: fc.oneof(mutated(() => ({ name: 'fuzz_list', kind: 'device', purpose: 'block', description: 'x' })), rawText), contentType }),
  fc.record({ method: fc.constant('POST'), path: fc.constantFrom('c-1', 'nope', '0', '%2F..', '💳').map((c) => `/v1/cases/${c}/notes`), body: fc.oneof(mutated(() => ({ text: 'note' })), rawText), contentType }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/v1/policies/validate'),
    body: fc.oneof(
      policyText.map((text) => ({ description: 'fuzz', files: { 'fuzz.fk': text } })),
      mutated(() => ({ description: 'fuzz', files: { 'a.fk': 'rule R\n  when amount > 1\n  score 1\n' } })),
      rawText,
    ),
    contentType,
  }),
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((xs) => `/v1/${xs.join('/')}`),
    body: fc.option(rawText, { nil: undefined }),
    contentType,
  }),
);

interface State {
  readonly seq: number;
  readonly audit: number;
}

async function state(): Promise<State> {
  const a = await call(s.url, '/v1/audit?limit=1', { key: s.keys.admin });
  assert.equal(a.status, 200, a.text);
  const entries = a.json.entries as { seq: number }[];
  return { seq: await journalSeq(s.url, s.keys.analyst), audit: entries.length > 0 ? entries[0].seq : 0 };
}

function show(r: Req, a: Answer): string {
  const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return `${r.method} ${r.path} (${String(r.contentType)}) ${String(body).slice(0, 300)}\n→ ${a.status} ${a.text.slice(0, 300)}`;
}

test('random and mutated requests: JSON answers, no 5xx, and a refusal changes nothing', async (t) => {
  let known = await state();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const a = await call(s.url, r.path, { key: s.keys.admin, method: r.method, body: r.body, contentType: r.contentType });
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      assert.ok(a.status >= 200 && a.status < 500, show(r, a));
      assert.match(String(a.headers['content-type']), /^application\/json/, show(r, a));
      assert.notEqual(a.json, undefined, `not JSON: ${show(r, a)}`);
      if (a.status >= 400) {
        assert.equal(typeof a.json?.error?.code, 'string', show(r, a));
        assert.equal(typeof a.json?.error?.message, 'string', show(r, a));
        const now = await state();
        assert.deepEqual(now, known, `a refused request changed state: ${show(r, a)}`);
      } else {
        known = await state();
      }
    }),
    params(1_500),
  );
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}`);
  const count = (lo: number, hi: number): number => [...statuses].filter(([k]) => k >= lo && k < hi).reduce((n, [, c]) => n + c, 0);
  assert.ok(count(200, 300) > 0 && count(400, 500) > 0, 'both acceptances and refusals were tried');
});
