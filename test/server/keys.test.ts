// API keys through a real server: admins list and revoke them (GET /v1/keys, DELETE /v1/keys/{keyId}),
// a key revoked through the server is refused on its very next request, self-revocation and unknown
// ids are refused, every change is audited, and `fengkong keys list|revoke` beside a running server
// takes effect within the documented cache time (5 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { hashKey, keyIdOf } from '../../src/server/auth.js';
import { call, createKeys, startTestServer, tempDir } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

function cli(args: string[]): string {
  return execFileSync(process.execPath, [BIN, 'keys', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const idOf = (key: string): string => keyIdOf(hashKey(key));

test('admins list and revoke keys; a revoked key is refused on its next request', async () => {
  const dir = tempDir('fk-keys-');
  const keys = createKeys(dir);
  const named = cli(['create', '--role', 'decide', '--name', 'switch-prod-1', '--data', dir]).trim();
  const srv = await startTestServer({ dir, keys });
  try {
    const list = await call(srv.url, '/v1/keys', { key: keys.admin });
    assert.equal(list.status, 200);
    type View = { keyId: string; name: string | null; role: string; createdAt: number; revokedAt: number | null };
    const views = list.json.keys as View[];
    assert.equal(views.length, 7);
    const sw = views.find((k) => k.keyId === idOf(named));
    assert.equal(sw?.name, 'switch-prod-1');
    assert.equal(sw?.role, 'decide');
    assert.equal(sw?.revokedAt, null);
    assert.ok(views.every((k) => /^key_[0-9a-f]{12}$/.test(k.keyId)));
    for (const key of [...Object.values(keys), named]) assert.ok(!list.text.includes(hashKey(key).slice(0, 16)), 'no hash beyond the id');

    for (const role of ['decide', 'ingest', 'analyst', 'support', 'metrics'] as const) {
      assert.equal((await call(srv.url, '/v1/keys', { key: keys[role] })).status, 403, role);
      const del = await call(srv.url, `/v1/keys/${idOf(named)}?reason=x`, { method: 'DELETE', key: keys[role] });
      assert.equal(del.status, 403, role);
    }

    // the named decide key works (and is cached), then is revoked with a query reason
    const tx = { method: 'GET', key: named };
    assert.equal((await call(srv.url, '/v1/openapi.json', tx)).status, 200);
    const noReason = await call(srv.url, `/v1/keys/${idOf(named)}`, { method: 'DELETE', key: keys.admin });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.error.path, 'reason');
    const revoked = await call(srv.url, `/v1/keys/${idOf(named)}?reason=leaked%20in%20a%20log`, { method: 'DELETE', key: keys.admin });
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.json.key.keyId, idOf(named));
    assert.equal(revoked.json.key.revokedBy, idOf(keys.admin));
    assert.equal(revoked.json.key.revokeReason, 'leaked in a log');
    const after = await call(srv.url, '/v1/openapi.json', tx);
    assert.equal(after.status, 401, 'refused on the very next request');
    assert.equal(after.json.error.code, 'unauthorized');
    const again = await call(srv.url, `/v1/keys/${idOf(named)}`, { method: 'DELETE', key: keys.admin, body: { reason: 'twice' } });
    assert.equal(again.status, 409);

    // body reason; analyst key refused next
    assert.equal((await call(srv.url, '/v1/audit', { key: keys.analyst })).status, 200);
    const byBody = await call(srv.url, `/v1/keys/${idOf(keys.analyst)}`, { method: 'DELETE', key: keys.admin, body: { reason: 'left the team' } });
    assert.equal(byBody.status, 200, byBody.text);
    assert.equal((await call(srv.url, '/v1/audit', { key: keys.analyst })).status, 401);

    const self = await call(srv.url, `/v1/keys/${idOf(keys.admin)}?reason=oops`, { method: 'DELETE', key: keys.admin });
    assert.equal(self.status, 409);
    assert.equal(self.json.error.code, 'conflict');
    assert.equal((await call(srv.url, '/v1/keys', { key: keys.admin })).status, 200, 'the admin still works');
    const unknown = await call(srv.url, '/v1/keys/key_000000000000?reason=x', { method: 'DELETE', key: keys.admin });
    assert.equal(unknown.status, 404);
    assert.equal((await call(srv.url, '/v1/keys/nonsense?reason=x', { method: 'DELETE', key: keys.admin })).status, 404);

    const listed = (await call(srv.url, '/v1/keys', { key: keys.admin })).json.keys as View[];
    assert.deepEqual(
      listed.filter((k) => k.revokedAt !== null).map((k) => k.keyId).sort(),
      [idOf(named), idOf(keys.analyst)].sort(),
    );

    const audit = await call(srv.url, '/v1/audit?action=key.', { key: keys.admin });
    type Entry = { action: string; actor: string; target: string; before: any; after: any };
    const entries = audit.json.entries as Entry[];
    const revokes = entries.filter((e) => e.action === 'key.revoke');
    assert.equal(revokes.length, 2);
    assert.ok(revokes.every((e) => e.actor === idOf(keys.admin)));
    assert.deepEqual(revokes.map((e) => e.target), [`keys/${idOf(keys.analyst)}`, `keys/${idOf(named)}`]);
    assert.equal(revokes[1].before.revokedAt, null);
    assert.equal(revokes[1].after.revokeReason, 'leaked in a log');
    const create = entries.find((e) => e.action === 'key.create');
    assert.match(create?.actor ?? '', /^cli:/);
    assert.equal(create?.after.name, 'switch-prod-1');
    assert.ok(!audit.text.includes(hashKey(named).slice(0, 16)));
  } finally {
    await srv.close();
  }
});

test('keys list and revoke on the CLI beside a running server: refused within 5 s', async () => {
  const srv = await startTestServer();
  try {
    const { keys, dir } = srv;
    const listed = cli(['list', '--data', dir]);
    assert.match(listed, /^KEY ID\s+NAME\s+ROLE\s+RATE\/S\s+CREATED\s+REVOKED/);
    for (const key of Object.values(keys)) {
      assert.ok(listed.includes(idOf(key)));
      assert.ok(!listed.includes(hashKey(key).slice(0, 16)));
    }
    assert.equal((await call(srv.url, '/v1/audit', { key: keys.analyst })).status, 200); // cached now

    assert.throws(() => cli(['revoke', idOf(keys.analyst), '--data', dir]), /--reason is required/);
    assert.throws(() => cli(['revoke', 'key_000000000000', '--reason', 'x', '--data', dir]), /no API key/);
    const started = Date.now();
    assert.match(cli(['revoke', idOf(keys.analyst), '--reason', 'laptop stolen', '--data', dir]), /revoked/);
    let status = 200;
    while (Date.now() - started < 7_000) {
      status = (await call(srv.url, '/v1/audit', { key: keys.analyst })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - started <= 6_000, `refused after ${Date.now() - started} ms`);

    const json = JSON.parse(cli(['list', '--json', '--data', dir])) as { keys: { keyId: string; revokedAt: number | null; revokedBy: string | null }[] };
    const k = json.keys.find((x) => x.keyId === idOf(keys.analyst));
    assert.equal(typeof k?.revokedAt, 'number');
    assert.match(k?.revokedBy ?? '', /^cli:/);
    assert.match(cli(['list', '--data', dir]), /by cli:[^:]+: laptop stolen/);

    const audit = await call(srv.url, '/v1/audit?action=key.revoke', { key: keys.admin });
    assert.equal(audit.json.entries.length, 1);
    assert.match(audit.json.entries[0].actor, /^cli:/);
    assert.equal(audit.json.entries[0].before.revokedAt, null);
    assert.equal(audit.json.entries[0].after.revokeReason, 'laptop stolen');
    assert.throws(() => cli(['revoke', idOf(keys.analyst), '--reason', 'again', '--data', dir]), /already revoked/);
  } finally {
    await srv.close();
  }
});

test('keys create --rate and keys rate: stored, listed, audited, applied by a running server within 5 s; bad rates refused', async () => {
  const srv = await startTestServer();
  try {
    const { dir } = srv;
    assert.throws(() => cli(['create', '--role', 'decide', '--rate', '0', '--data', dir]), /--rate must be requests per second/);
    assert.throws(() => cli(['create', '--role', 'decide', '--rate', 'fast', '--data', dir]), /--rate must be requests per second/);
    assert.throws(() => cli(['create', '--role', 'root', '--data', dir]), /--role must be one of decide, ingest, analyst, admin, support, metrics/);
    const before = JSON.parse(cli(['list', '--json', '--data', dir])).keys.length;
    const key = cli(['create', '--role', 'metrics', '--rate', '3', '--name', 'prom-1', '--data', dir]).trim();
    const listed = JSON.parse(cli(['list', '--json', '--data', dir])).keys as { keyId: string; rate: number | null; role: string }[];
    assert.equal(listed.length, before + 1, 'refused creations stored nothing');
    assert.deepEqual(listed.find((k) => k.keyId === idOf(key)), { ...listed.find((k) => k.keyId === idOf(key)), role: 'metrics', rate: 3 });
    const scrape = async (n: number) => (await Promise.all(Array.from({ length: n }, () => call(srv.url, '/metrics', { key })))).map((a) => a.status);
    const first = await scrape(10);
    assert.equal(first.filter((x) => x === 200).length, 3, JSON.stringify(first));
    assert.ok(first.every((x) => x === 200 || x === 429));

    assert.throws(() => cli(['rate', idOf(key), '0', '--data', dir]), /the rate must be requests per second/);
    assert.match(cli(['rate', idOf(key), 'none', '--data', dir]), /unlimited/);
    const started = Date.now();
    let statuses: number[] = [];
    while (Date.now() - started < 7_000) {
      statuses = await scrape(10);
      if (statuses.every((x) => x === 200)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(statuses.every((x) => x === 200), `unlimited within 5 s: ${JSON.stringify(statuses)}`);
    const audit = await call(srv.url, `/v1/audit?action=key.rate`, { key: srv.keys.admin });
    const e = audit.json.entries[0] as { actor: string; before: { rate: number }; after: { rate: null } };
    assert.match(e.actor, /^cli:/);
    assert.deepEqual([e.before.rate, e.after.rate], [3, null]);
  } finally {
    await srv.close();
  }
});
