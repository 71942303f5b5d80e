// Every route that reads a body refuses a body its schema does not accept: 400 invalid_request with
// the field path named and the words of what was expected, before the handler runs, so nothing
// changes (lists, cases, policies, modes, keys, accounts, merchants, the audit log, the journal).
// The table must cover every body route the OpenAPI document lists, so a new one needs a row here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATES } from '../../src/notices/templates.js';
import { account, baseWorld, tx } from '../engine/world.js';
import { call, feed, journalSeq, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
let caseId: string;
let keyId: string;

before(async () => {
  s = await startTestServer();
  await feed(s.url, s.keys.admin, [...baseWorld(), account('A1'), tx(60_000, { id: 'refusal-tx', accountId: 'A1' })]);
  const opened = await call(s.url, '/v1/cases', { key: s.keys.analyst, body: { subjectKind: 'account', subjectId: 'A1', note: 'look at this' } });
  assert.equal(opened.status, 201, opened.text);
  caseId = opened.json.caseId;
  const mode = await call(s.url, '/v1/modes/calm', { method: 'PUT', key: s.keys.admin, body: { description: 'quiet', rules: 'setting score.review = 20\n' } });
  assert.equal(mode.status, 201, mode.text);
  const keys = await call(s.url, '/v1/keys', { key: s.keys.admin });
  keyId = keys.json.keys.find((k: { role: string }) => k.role === 'support').keyId;
});
after(async () => {
  await s.close();
});

/** What the server holds, read back through the API: must not move on a refused request. */
async function state(): Promise<string> {
  const reads = [
    '/v1/audit?limit=1000',
    '/v1/lists',
    '/v1/lists/block_devices/entries',
    `/v1/cases?status=all`,
    `/v1/cases/${caseId}?evidence=false`,
    '/v1/policies',
    '/v1/policies/live',
    '/v1/modes',
    '/v1/keys',
    '/v1/webhooks',
    '/v1/merchants/M1/actions',
    '/v1/policies/1/backtests',
  ];
  const out: unknown[] = [await journalSeq(s.url, s.keys.analyst)];
  for (const r of reads) {
    const a = await call(s.url, r, { key: s.keys.admin });
    assert.equal(a.status, 200, `${r}: ${a.text}`);
    out.push(a.json);
  }
  const acct = await call(s.url, '/v1/accounts/A1', { key: s.keys.admin });
  out.push([acct.json.status, acct.json.restrictions, acct.json.actions, acct.json.appeals]);
  return JSON.stringify(out);
}

interface Row {
  /** `METHOD /template` as the OpenAPI document lists it. */
  readonly route: string;
  readonly path: () => string;
  readonly body: unknown;
  readonly field: string;
  /** The exact message, where the wording matters. */
  readonly message?: string;
}

const ROWS: Row[] = [
  {
    route: 'POST /v1/accounts/{accountId}/actions',
    path: () => '/v1/accounts/A1/actions',
    body: { action: 'freeze', reason: 5 },
    field: 'reason',
    message: 'reason: expected a non-empty string of at most 500 characters on one line',
  },
  { route: 'POST /v1/accounts/{accountId}/appeals', path: () => '/v1/accounts/A1/appeals', body: { text: 'hello', txId: 42 }, field: 'txId' },
  { route: 'POST /v1/policies/{version}/backtests', path: () => '/v1/policies/1/backtests', body: { from: 1, to: true }, field: 'to' },
  { route: 'POST /v1/cases', path: () => '/v1/cases', body: { subjectKind: 'account', subjectId: 'A1', note: 'n', risk: 'high' }, field: 'risk', message: 'risk: expected a number from 0 to 100' },
  { route: 'POST /v1/cases/{id}/assign', path: () => `/v1/cases/${caseId}/assign`, body: { assignee: 7 }, field: 'assignee' },
  { route: 'POST /v1/cases/{id}/notes', path: () => `/v1/cases/${caseId}/notes`, body: { text: ['a note'] }, field: 'text', message: 'text: expected text of 1–4000 characters' },
  { route: 'POST /v1/cases/{id}/status', path: () => `/v1/cases/${caseId}/status`, body: { status: 'closed' }, field: 'status' },
  { route: 'POST /v1/cases/{id}/resolve', path: () => `/v1/cases/${caseId}/resolve`, body: { resolution: 'fraud', note: 3 }, field: 'note' },
  { route: 'DELETE /v1/keys/{keyId}', path: () => `/v1/keys/${keyId}`, body: { reason: 12 }, field: 'reason' },
  { route: 'POST /v1/alerts/{id}/ack', path: () => '/v1/alerts/1/ack', body: { note: 7 }, field: 'note' },
  { route: 'POST /v1/limit-proposals/approve', path: () => '/v1/limit-proposals/approve', body: { ids: ['one'] }, field: 'ids[0]' },
  { route: 'POST /v1/limit-proposals/reject', path: () => '/v1/limit-proposals/reject', body: { all: 'yes' }, field: 'all' },
  { route: 'POST /v1/acquirers/licence-list', path: () => '/v1/acquirers/licence-list', body: { asOf: '30/11/2026', source: 'PBC', rows: [{ name: '持牌支付' }] }, field: 'asOf' },
  { route: 'POST /v1/complaints', path: () => '/v1/complaints', body: { subjectKind: 'terminal', subjectId: 'T1', text: 'x' }, field: 'subjectKind' },
  { route: 'PUT /v1/notices/templates', path: () => '/v1/notices/templates', body: { templates: { ...DEFAULT_TEMPLATES, account_frozen: { 'zh-CN': '冻结', en: 3 } } }, field: 'templates.account_frozen.en' },
  { route: 'POST /v1/webhooks', path: () => '/v1/webhooks', body: { url: 'http://127.0.0.1:1/x', events: ['account.exploded'] }, field: 'events[0]' },
  { route: 'PATCH /v1/keys/{keyId}', path: () => `/v1/keys/${keyId}`, body: { rate: '200' }, field: 'rate' },
  { route: 'POST /v1/lists', path: () => '/v1/lists', body: { name: 'x_list', kind: 'device', purpose: 'block', description: 5 }, field: 'description', message: 'description: expected a string of at most 500 characters or null' },
  { route: 'POST /v1/lists/{name}/entries', path: () => '/v1/lists/block_devices/entries', body: { value: 'D1', reason: 'r', expiresAt: true }, field: 'expiresAt' },
  { route: 'POST /v1/merchants/{merchantId}/actions', path: () => '/v1/merchants/M1/actions', body: { action: 'hold_settlement', reason: 'r', expiresAt: {} }, field: 'expiresAt' },
  { route: 'PUT /v1/modes/{name}', path: () => '/v1/modes/calm', body: { description: 'louder', rules: 5 }, field: 'rules', message: 'rules: expected a string' },
  { route: 'POST /v1/modes/{name}/validate', path: () => '/v1/modes/calm/validate', body: { rules: 'setting score.review = 20\n', extra: 1 }, field: 'extra' },
  { route: 'POST /v1/modes/{name}/reject', path: () => '/v1/modes/calm/reject', body: { reason: 7 }, field: 'reason' },
  { route: 'POST /v1/policies', path: () => '/v1/policies', body: { description: 'd', files: { 'a.fk': 5 } }, field: 'files["a.fk"]', message: 'files["a.fk"]: expected the file text as a string' },
  { route: 'POST /v1/policies/validate', path: () => '/v1/policies/validate', body: { description: 'd', files: [{ file: 'a.fk', text: 1 }] }, field: 'files[0].text' },
  { route: 'POST /v1/policies/rollback', path: () => '/v1/policies/rollback', body: { reason: 'r', warm: 'yes' }, field: 'warm' },
  { route: 'POST /v1/policies/{version}/publish', path: () => '/v1/policies/1/publish', body: { note: 5 }, field: 'note' },
  { route: 'POST /v1/policies/{version}/reject', path: () => '/v1/policies/1/reject', body: { reason: 'r', because: 'typo' }, field: 'because', message: 'because: expected no such field; allowed: reason' },
];

const METHOD_OF = (route: string): string => route.slice(0, route.indexOf(' '));
/** A refusal's message without the project's `[FKxxxx] ` code in front. */
const words = (message: string): string => message.replace(/^\[FK\d+\] /, '');

test('every body route of the document has a refusal row here', async () => {
  const doc = (await call(s.url, '/v1/openapi.json', { key: s.keys.admin })).json;
  const documented: string[] = [];
  for (const [path, ops] of Object.entries<Record<string, { requestBody?: unknown }>>(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.requestBody !== undefined && path !== '/v1/decisions' && path !== '/v1/events') documented.push(`${method.toUpperCase()} ${path}`);
    }
  }
  assert.deepEqual(ROWS.map((r) => r.route).sort(), documented.sort());
});

for (const row of ROWS) {
  test(`${row.route}: a body the schema refuses is 400 naming ${row.field}, and nothing changes`, async () => {
    const was = await state();
    const r = await call(s.url, row.path(), { method: METHOD_OF(row.route), key: s.keys.admin, body: row.body });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'invalid_request', r.text);
    assert.equal(r.json.error.path, row.field, r.text);
    assert.equal(typeof r.json.error.expected, 'string', r.text);
    assert.equal(words(r.json.error.message), `${row.field}: expected ${r.json.error.expected}`);
    if (row.message !== undefined) assert.equal(words(r.json.error.message), row.message);
    assert.equal(await state(), was, 'nothing changed');
  });
}

test('a body that is not an object is refused at the root, for every body route', async () => {
  const was = await state();
  for (const row of ROWS) {
    const r = await call(s.url, row.path(), { method: METHOD_OF(row.route), key: s.keys.admin, body: [row.body] });
    assert.equal(r.status, 400, `${row.route}: ${r.text}`);
    assert.deepEqual([r.json.error.code, r.json.error.path, words(r.json.error.message)], ['invalid_request', '', 'expected a JSON object'], row.route);
  }
  assert.equal(await state(), was, 'nothing changed');
});

test('query parameters are refused by their schema with the parameter named, and nothing changes', async () => {
  const was = await state();
  const bad: [string, string, string][] = [
    ['/v1/merchants?kind=shop', 'kind', 'kind: expected merchant or terminal'],
    ['/v1/merchants?limit=1001', 'limit', 'limit: expected an integer from 1 to 1000'],
    ['/v1/policies/1/shadow/decisions?changed=maybe', 'changed', 'changed: expected true or false'],
    ['/v1/lists/block_devices/entries?limit=abc', 'limit', 'limit: expected a whole number from 1 to 1000'],
    ['/v1/cases?after=yesterday', 'after', 'after: expected the `next` of the previous page'],
    ['/v1/policies?before=0', 'before', 'before: expected an integer from 1 to 9007199254740991'],
    ['/v1/reports/risk?to=2026-11-02', 'from', `from: expected epoch milliseconds, a timestamp like 2026-11-01T00:00:00+08:00, or a date like 2026-11-01 (midnight +08:00) (required)`],
  ];
  for (const [url, field, message] of bad) {
    const r = await call(s.url, url, { key: s.keys.admin });
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.deepEqual([r.json.error.code, r.json.error.path, words(r.json.error.message)], ['invalid_request', field, message], url);
  }
  // a key revocation's reason may come in the query instead of the body; the query is checked too
  const blank = await call(s.url, `/v1/keys/${keyId}?reason=`, { method: 'DELETE', key: s.keys.admin });
  assert.deepEqual([blank.status, blank.json.error.path], [400, 'reason'], blank.text);
  assert.equal(await state(), was, 'nothing changed');
});

test('a body the schema accepts still reaches the domain checks, with their words', async () => {
  const was = await state();
  const blank = await call(s.url, `/v1/cases/${caseId}/notes`, { key: s.keys.admin, body: { text: '   ' } });
  assert.deepEqual([blank.status, blank.json.error.path, words(blank.json.error.message)], [400, 'text', 'text: expected text of 1–4000 characters']);
  const past = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.admin, body: { value: 'D1', reason: 'r', expiresAt: '2020-01-01T00:00:00Z' } });
  assert.deepEqual([past.status, past.json.error.path], [400, 'expiresAt']);
  assert.match(past.json.error.message, /expired already/);
  const noLimit = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'lower_limit', reason: 'r' } });
  assert.deepEqual([noLimit.status, noLimit.json.error.path], [400, 'limit']);
  assert.match(noLimit.json.error.message, /required for lower_limit/);
  assert.equal(await state(), was, 'nothing changed');
});
