// The audit log through a real server: what the CLI's key creation records, who may read it,
// filters and paging, and that the file itself refuses to rewrite history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { SqliteStore, dbPath } from '../../src/store/sqlite/sqlite-store.js';
import { call, startTestServer, tempDir } from './helpers.js';

test('keys create is audited, and analysts read the log newest first with filters and paging', async () => {
  const dir = tempDir('fk-audit-');
  const bin = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
  for (const role of ['decide', 'analyst', 'admin']) {
    execFileSync(process.execPath, [bin, 'keys', 'create', '--role', role, '--data', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  }
  const store = new SqliteStore(dir);
  store.audit.append({ actor: 'key_test', action: 'list.entry.add', target: 'lists/block_devices/dev-1', after: { reason: 'stolen' } });
  store.close();
  const srv = await startTestServer({ dir });
  try {
    const all = await call(srv.url, '/v1/audit', { key: srv.keys.analyst });
    assert.equal(all.status, 200);
    type Entry = { seq: number; action: string; actor: string; target: string; after: unknown; before: unknown };
    // the server's own start may add entries of its own (the policy it imports); ours are the first four
    const entries = (all.json.entries as Entry[]).filter((e) => e.seq <= 4);
    assert.deepEqual(entries.map((e) => e.seq), [4, 3, 2, 1]);
    assert.deepEqual(entries.map((e) => e.action), ['list.entry.add', 'key.create', 'key.create', 'key.create']);
    assert.deepEqual(entries.slice(1).map((e) => (e.after as { role: string }).role), ['admin', 'analyst', 'decide']);
    assert.match(entries[1].actor, /^cli:/);
    assert.match(entries[1].target, /^keys\/key_[0-9a-f]{12}$/);
    assert.equal(entries[1].before, null);

    const keysOnly = await call(srv.url, '/v1/audit?action=key.', { key: srv.keys.admin });
    assert.equal(keysOnly.json.entries.length, 3);
    const byTarget = await call(srv.url, '/v1/audit?target=lists/', { key: srv.keys.analyst });
    assert.deepEqual(byTarget.json.entries.map((e: { seq: number }) => e.seq), [4]);
    assert.deepEqual(byTarget.json.entries[0].after, { reason: 'stolen' });

    const page1 = await call(srv.url, '/v1/audit?action=key.&limit=2', { key: srv.keys.analyst });
    assert.deepEqual(page1.json.entries.map((e: { seq: number }) => e.seq), [3, 2]);
    assert.equal(page1.json.next, 2);
    const page2 = await call(srv.url, `/v1/audit?action=key.&limit=2&before=${page1.json.next}`, { key: srv.keys.analyst });
    assert.deepEqual(page2.json.entries.map((e: { seq: number }) => e.seq), [1]);
    assert.equal(page2.json.next, null);

    const forbidden = await call(srv.url, '/v1/audit', { key: srv.keys.decide });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error.code, 'forbidden');
    const bad = await call(srv.url, '/v1/audit?limit=0', { key: srv.keys.analyst });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_request');
    assert.equal(bad.json.error.path, 'limit');
    const badTime = await call(srv.url, '/v1/audit?from=yesterday', { key: srv.keys.analyst });
    assert.equal(badTime.status, 400);
    assert.equal(badTime.json.error.path, 'from');
    const wrongMethod = await call(srv.url, '/v1/audit', { method: 'DELETE', key: srv.keys.admin });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'GET');
  } finally {
    await srv.close();
  }
});

test('the audit table refuses UPDATE and DELETE, even from another connection', (t) => {
  const dir = tempDir('fk-audit-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(dir);
  store.audit.append({ actor: 'key_a', action: 'mode.on', target: 'modes/incident', before: { on: false }, after: { on: true } });
  store.close();
  const db = new BetterSqlite3(dbPath(dir));
  try {
    assert.throws(() => db.prepare("UPDATE audit_log SET actor = 'someone else'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /append-only/);
    assert.equal((db.prepare('SELECT actor FROM audit_log').get() as { actor: string }).actor, 'key_a');
  } finally {
    db.close();
  }
});

test('GET /v1/audit/head and the metrics give the chain head; it moves with each change and is in the OpenAPI document', async () => {
  const srv = await startTestServer();
  try {
    const h1 = await call(srv.url, '/v1/audit/head', { key: srv.keys.analyst });
    assert.equal(h1.status, 200);
    assert.deepEqual(Object.keys(h1.json).sort(), ['hash', 'seq']);
    assert.match(h1.json.hash, /^[0-9a-f]{64}$/);
    const newest = (await call(srv.url, '/v1/audit?limit=1', { key: srv.keys.admin })).json.entries[0] as { seq: number; hash: string; prevHash: string };
    assert.deepEqual(h1.json, { seq: newest.seq, hash: newest.hash }, 'the newest entry, its hash as /v1/audit shows it');
    const s = new SqliteStore(srv.dir);
    const added = s.audit.append({ actor: 'key_test', action: 'mode.on', target: 'modes/m' });
    s.close();
    const h2 = await call(srv.url, '/v1/audit/head', { key: srv.keys.admin });
    assert.deepEqual(h2.json, { seq: added.seq, hash: added.hash });
    assert.equal(added.prevHash, h1.json.hash);
    assert.equal((await call(srv.url, '/v1/audit/head', { key: srv.keys.decide })).status, 403);
    assert.equal((await call(srv.url, '/v1/audit/head', { key: srv.keys.support })).status, 403);
    assert.equal((await call(srv.url, '/v1/audit/head')).status, 401);

    const metrics = (await call(srv.url, '/metrics', { key: srv.keys.analyst })).text;
    assert.match(metrics, new RegExp(`^fengkong_audit_head_seq ${added.seq}$`, 'm'));
    assert.match(metrics, new RegExp(`^fengkong_audit_head\\{seq="${added.seq}",hash="${added.hash}"\\} 1$`, 'm'));

    const doc = (await call(srv.url, '/v1/openapi.json', { key: srv.keys.analyst })).json;
    const op = doc.paths['/v1/audit/head'].get;
    assert.match(op.summary, /chain head/);
    assert.ok(JSON.stringify(op).includes('"pattern":"^[0-9a-f]{64}$"'), 'the reply schema is documented');
  } finally {
    await srv.close();
  }
});
