// Who may call what (docs/security.md, issue 13): the route × role table in the doc is the one the
// route declarations generate; every route tried with every role, with no key and with an unknown
// key against a real server answers 401/403 exactly where the table says and never a 5xx; events are
// checked per type (the switch posts merchants, the credit system accounts and labels).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES } from '../../src/keys/store.js';
import { accessFor, routeTable, tableIn } from '../../src/server/route-table.js';
import { ROOT } from '../helpers/paths.js';
import { account, registry, tx } from '../engine/world.js';
import { call, journalSeq, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  // every unknown-key call of this file comes from 127.0.0.1: no throttling here (abuse.test.ts tests it)
  s = await startTestServer({ badKeyLimits: { maxFailures: 1_000_000, windowMs: 60_000, maxAddresses: 10 } });
});
after(async () => {
  await s.close();
});

test('docs/security.md holds the route × role table the routes generate (fengkong docs routes --write docs/security.md)', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
  assert.match(doc, /^## Who may call what$/m);
  const inDoc = tableIn(doc);
  assert.notEqual(inDoc, null, 'the table markers are in docs/security.md');
  assert.equal(inDoc, routeTable(s.server.routes), 'stale: run `fengkong docs routes --write docs/security.md`');
});

/** A concrete path for a pattern: every `{param}` filled. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'zz-access-1');
}

test('every route with every role, no key and an unknown key: 401/403 exactly as the table says, never a 5xx', async () => {
  const callers: Array<{ who: string; role: string | null; key?: string }> = [
    { who: 'no key', role: null },
    { who: 'unknown key', role: null, key: 'fk_not-a-real-key-at-all' },
    // admin last: its calls are the ones that may change something
    ...[...ROLES].sort((a, b) => Number(a === 'admin') - Number(b === 'admin')).map((role) => ({ who: role, role, key: s.keys[role] })),
  ];
  const routes = s.server.routes;
  assert.ok(routes.length >= 60, `all routes listed (${routes.length})`);
  let tried = 0;
  for (const c of callers) {
    for (const r of routes) {
      const writes = r.method !== 'GET';
      const a = await call(s.url, concrete(r.path), {
        method: r.method,
        ...(c.key !== undefined ? { key: c.key } : {}),
        // `{}` passes no route's checks that matter here: a refusal is 400/404/409, never a change
        ...(writes ? { body: {} } : {}),
      });
      tried++;
      const label = `${c.who} ${r.method} ${r.path} → ${a.status} ${a.text.slice(0, 160)}`;
      assert.ok(a.status < 500, label);
      const expected = accessFor(r, c.role);
      if (expected === 'ok') {
        assert.ok(a.status !== 401 && a.status !== 403, label);
      } else {
        assert.equal(String(a.status), expected, label);
        assert.equal(a.json.error.code, expected === '401' ? 'unauthorized' : 'forbidden', label);
      }
    }
  }
  process.stdout.write(`# access: ${tried} calls, ${routes.length} routes × ${callers.length} callers\n`);
  assert.equal((await call(s.url, '/healthz')).status, 200, 'and the server still serves');
});

test('events by type: the switch posts merchants, terminals and acquirers; the credit system accounts, account events and labels', async () => {
  const seq0 = await journalSeq(s.url, s.keys.analyst);
  // the switch: reference data of the acquiring side, yes; an account or a limit change, no
  const reg = await call(s.url, '/v1/events', { key: s.keys.decide, body: registry() });
  assert.equal(reg.status, 202, reg.text);
  const limit = { type: 'account_event', ts: '2026-11-24T20:51:00+08:00', accountId: 'acc-x', kind: 'limit_changed', creditLimit: 99_000_000 };
  const seq1 = await journalSeq(s.url, s.keys.analyst);
  const refused = await call(s.url, '/v1/events', { key: s.keys.decide, body: [registry()[0], limit] });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error.code, 'forbidden');
  assert.match(refused.json.error.message, /"account_event"/);
  assert.match(refused.json.error.message, /"ingest"/);
  assert.match(refused.json.error.message, /\[1\]\.type/);
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq1, 'all or nothing: the merchant before it was not applied either');
  const label = { type: 'label', ts: '2026-12-01T12:00:00+08:00', txId: 'tx-1', fraud: true };
  const l = await call(s.url, '/v1/events', { key: s.keys.decide, body: label });
  assert.equal(l.status, 403);
  assert.match(l.json.error.message, /"label".*"ingest"/);
  // the credit system: accounts, account events and labels, yes; a merchant, no
  const acc = await call(s.url, '/v1/events', { key: s.keys.ingest, body: [account('ACC-1'), { ...limit, accountId: 'ACC-1' }, label] });
  assert.equal(acc.status, 202, acc.text);
  const m = await call(s.url, '/v1/events', { key: s.keys.ingest, body: registry()[0] });
  assert.equal(m.status, 403);
  assert.match(m.json.error.message, /"decide"/);
  // nor payments
  const p = await call(s.url, '/v1/decisions', { key: s.keys.ingest, body: tx(0, { id: 'ingest-tx' }) });
  assert.equal(p.status, 403);
  // roles that may post no event are refused before their body is read
  for (const role of ['analyst', 'support', 'metrics'] as const) {
    const r = await call(s.url, '/v1/events', { key: s.keys[role], body: registry() });
    assert.equal(r.status, 403, role);
  }
  assert.equal(await journalSeq(s.url, s.keys.analyst), seq1 + 3, 'only the credit system\'s batch was applied');
  assert.ok(seq1 > seq0);
});

test('whoami names the permissions: a metrics key scrapes /metrics and nothing else', async () => {
  const who = await call(s.url, '/v1/whoami', { key: s.keys.metrics });
  assert.equal(who.status, 200);
  assert.deepEqual(who.json.permissions, ['metrics', 'self']);
  assert.equal((await call(s.url, '/metrics', { key: s.keys.metrics })).status, 200);
  assert.equal((await call(s.url, '/v1/cases', { key: s.keys.metrics })).status, 403);
  const analyst = await call(s.url, '/v1/whoami', { key: s.keys.analyst });
  assert.deepEqual(analyst.json.permissions, ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self']);
  const decide = await call(s.url, '/v1/whoami', { key: s.keys.decide });
  assert.deepEqual(decide.json.permissions, ['decide', 'docs', 'self']);
});
