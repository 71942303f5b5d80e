// Encryption at rest through a real server (issue 13 point 4): device ids, IPs, coordinates and free
// texts never appear in clear in any file under the data folder — journal, snapshots, indexes,
// cases, appeals, lists, the audit log — and everything reads back after a restart; a wrong master
// key refuses to start and names the file; a data key rotated while the server runs is picked up.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { account, at, baseWorld, DAY, HOUR, tx } from '../engine/world.js';
import { call, createKeys, feed, stable, startTestServer, tempDir, type TestServer } from './helpers.js';
import { defaultFiles, draft } from '../policy/helpers.js';

const DEVICE = 'dev-SECRET-7f3a';
const IP = '10.77.66.55';
const GEO = { lat: 22.54317, lon: 114.05791 };
const HOME = { lat: 22.61234, lon: 113.98765 };
const EVT = { deviceId: 'dev-EVT-SECRET-91', ip: '10.66.55.44', geo: { lat: 30.27113, lon: 120.16227 } };
const MERCHANT_GEO = { lat: 22.53771, lon: 114.06612 };
const TERMINAL_GEO = { lat: 22.53779, lon: 114.06618 };
const APPEAL = 'APPEAL-SECRET-qz81: the customer swears it was theirs';
const NOTE = 'NOTE-SECRET-uu42 called the customer';
const LISTED = 'dev-LIST-SECRET-55';

const TEXTS = [DEVICE, IP, EVT.deviceId, EVT.ip, APPEAL, NOTE, LISTED, 'SECRET'];
const NUMBERS = [GEO.lat, GEO.lon, HOME.lat, HOME.lon, EVT.geo.lat, EVT.geo.lon, MERCHANT_GEO.lat, MERCHANT_GEO.lon, TERMINAL_GEO.lat, TERMINAL_GEO.lon];

/** Every byte pattern a secret could leave in a file: its UTF-8 text, JSON form, and a coordinate's float64 bytes. */
function needles(): { what: string; bytes: Buffer }[] {
  const out: { what: string; bytes: Buffer }[] = [];
  for (const t of TEXTS) {
    out.push({ what: t, bytes: Buffer.from(t, 'utf8') });
    out.push({ what: `${t} (JSON)`, bytes: Buffer.from(JSON.stringify(t), 'utf8') });
  }
  for (const n of NUMBERS) {
    out.push({ what: String(n), bytes: Buffer.from(String(n), 'utf8') });
    const le = Buffer.alloc(8);
    le.writeDoubleLE(n, 0);
    out.push({ what: `${n} (float64 LE)`, bytes: le });
    const be = Buffer.alloc(8);
    be.writeDoubleBE(n, 0);
    out.push({ what: `${n} (float64 BE)`, bytes: be });
  }
  return out;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Polls `path` (analyst key) until `ok` holds for its JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function until(s: TestServer, path: string, ok: (j: any) => boolean): Promise<any> {
  const end = Date.now() + 30_000;
  for (;;) {
    const r = await call(s.url, path, { key: s.keys.analyst });
    if (r.status === 200 && ok(r.json)) return r.json;
    if (Date.now() > end) throw new Error(`${path} not ready: ${r.text.slice(0, 400)}`);
    await sleep(50);
  }
}

function world(): Record<string, unknown>[] {
  const ev = baseWorld();
  ev.push(
    { type: 'merchant', ts: at(-100 * DAY), merchantId: 'M9', name: 'secret shop', mcc: '5411', acquirerId: '48021000', geo: MERCHANT_GEO, region: '440304' },
    { type: 'terminal', ts: at(-100 * DAY), terminalId: 'T9', merchantId: 'M9', acquirerId: '48021000', geo: TERMINAL_GEO },
    account('A7', { home: HOME }),
    { type: 'account_event', ts: at(-2 * HOUR), accountId: 'A7', kind: 'login', ...EVT },
  );
  for (let i = 0; i < 6; i++) {
    ev.push(tx(-HOUR + i * 60_000, { id: `enc-${i}`, accountId: 'A7', merchantId: 'M9', terminalId: 'T9', deviceId: DEVICE, ip: IP, geo: GEO, amount: 10_000 + i * 50_000 }));
  }
  return ev;
}

test('no device id, IP, coordinate or free text is in clear in any file of the data folder; all of it reads back after a restart', async () => {
  const dir = tempDir('fk-crypt-');
  const keys = createKeys(dir);
  const s = await startTestServer({ dir, keys, snapshots: { everyEntries: 1_000_000, everyMs: 3_600_000 } });
  let answers: Record<string, unknown>[];
  let caseId: string;
  try {
    answers = (await feed(s.url, keys.admin, world())).map((a) => stable(a.json as Record<string, unknown>));
    const added = await call(s.url, '/v1/lists/block_devices/entries', { key: keys.admin, body: { value: LISTED, reason: 'stolen' } });
    assert.equal(added.status < 300, true, added.text);
    const appeal = await call(s.url, '/v1/accounts/A7/appeals', { key: keys.support, body: { text: APPEAL, txId: 'enc-5' } });
    assert.equal(appeal.status, 201, appeal.text);
    caseId = appeal.json.appeal.caseId as string;
    const note = await call(s.url, `/v1/cases/${caseId}/notes`, { key: keys.analyst, body: { text: NOTE } });
    assert.ok(note.status < 300, note.text);
    // a shadow of a draft sees two more payments; a backtest of it runs over the journal
    const v = (await draft(s, keys.admin, defaultFiles(), 'encryption draft')).json.version as number;
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: keys.admin, method: 'POST' })).status, 202);
    await until(s, `/v1/policies/${v}/shadow`, (j) => j.state === 'running' && j.lag.events === 0);
    const more = [6, 7].map((i) => tx(-10 * 60_000 + i * 1000, { id: `enc-${i}`, accountId: 'A7', merchantId: 'M9', terminalId: 'T9', deviceId: DEVICE, ip: IP, geo: GEO }));
    answers.push(...(await feed(s.url, keys.admin, more)).map((a) => stable(a.json as Record<string, unknown>)));
    await until(s, `/v1/policies/${v}/shadow`, (j) => j.transactions === 2);
    const bt = await call(s.url, `/v1/policies/${v}/backtests`, { key: keys.analyst, body: { from: '2026-11-01', to: '2026-11-11' } });
    assert.equal(bt.status, 202, bt.text);
    const done = await until(s, `/v1/policies/${v}/backtests/${bt.json.backtest.id}`, (j) => !['queued', 'running'].includes(j.backtest.state));
    assert.equal(done.backtest.state, 'done', JSON.stringify(done.backtest.error));
    const snap = await s.server.checkpointer!.snapshotNow();
    assert.ok(snap !== null && snap.seq > 0);
  } finally {
    await s.close(true);
  }

  // every file, byte for byte (the SQLite file, its WAL, the index, snapshots, shadow store, lock files)
  const found: string[] = [];
  const all = files(dir);
  assert.ok(all.some((f) => f.endsWith('.fks')), 'a snapshot was written');
  for (const f of all) {
    if (f.endsWith('master.key')) continue;
    const bytes = readFileSync(f);
    for (const n of needles()) if (bytes.includes(n.bytes)) found.push(`${f}: ${n.what}`);
  }
  assert.deepEqual(found, []);

  // files 0600, folders 0700
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const f of all) assert.equal(statSync(f).mode & 0o777, 0o600, f);

  // a restart reads it all back: decisions, the appeal, the case note and evidence, the list entry
  const b = await startTestServer({ dir, keys });
  try {
    for (const a of answers) {
      const id = a.txId as string | undefined;
      if (id === undefined) continue;
      const d = await call(b.url, `/v1/decisions/${id}`, { key: keys.analyst });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.outcome, a.outcome);
    }
    const c = await call(b.url, `/v1/cases/${caseId}`, { key: keys.analyst });
    assert.equal(c.status, 200, c.text);
    assert.ok(c.text.includes(APPEAL), 'the appeal text is in the case');
    assert.ok(c.text.includes(NOTE), 'the note is back');
    const appeals = await call(b.url, '/v1/accounts/A7', { key: keys.analyst });
    assert.equal(appeals.status, 200, appeals.text);
    const entries = await call(b.url, '/v1/lists/block_devices/entries', { key: keys.analyst });
    assert.ok(entries.text.includes(LISTED), entries.text);
    const audit = await call(b.url, '/v1/audit?action=account.appeal', { key: keys.analyst });
    assert.ok(audit.text.includes(APPEAL), 'the audit log opens what it sealed');
    // the listed device is blocked after the restart
    const blocked = await call(b.url, '/v1/decisions', { key: keys.decide, body: tx(-30 * 60_000, { id: 'enc-blocked', deviceId: LISTED }) });
    assert.equal(blocked.json.outcome, 'decline', blocked.text);
    assert.equal(b.server.recovery.changedDecisions, 0);
  } finally {
    await b.close();
  }
});

test('a wrong master key refuses to start and names the file; a clear data folder is sealed on open', async () => {
  const dir = tempDir('fk-crypt-key-');
  const keys = createKeys(dir);
  const s = await startTestServer({ dir, keys });
  try {
    await feed(s.url, keys.admin, world());
  } finally {
    await s.close(true); // a failure must not leave a server holding the test process open
  }
  const wrong = join(dir, 'wrong.key');
  writeFileSync(wrong, `${'ab'.repeat(32)}\n`);
  chmodSync(wrong, 0o600);
  await assert.rejects(
    startTestServer({ dir, keys, masterKeyFile: wrong }),
    (e: Error) => /FK5007/.test(e.message) && e.message.includes(wrong),
  );
  // a missing key file of a sealed folder is refused, never replaced by a new key
  const missing = join(dir, 'nowhere', 'master.key');
  await assert.rejects(startTestServer({ dir, keys, masterKeyFile: missing }), (e: Error) => /FK5007/.test(e.message) && e.message.includes(missing));
  assert.throws(() => statSync(missing));
  rmSync(dir, { recursive: true, force: true });

  // a folder written in clear (encryption off) is sealed on the next open and still reads back
  const old = tempDir('fk-crypt-old-');
  const k2 = createKeys(old);
  const c = await startTestServer({ dir: old, keys: k2, encryption: false, snapshots: false });
  try {
    await feed(c.url, k2.admin, world());
  } finally {
    await c.close(true);
  }
  const d = await startTestServer({ dir: old, keys: k2, snapshots: false });
  const got = await call(d.url, '/v1/decisions/enc-3', { key: k2.analyst });
  assert.equal(got.status, 200, got.text);
  await d.close(true);
  const db = new BetterSqlite3(join(old, 'fengkong.db'), { readonly: true });
  const clear = db.prepare("SELECT count(*) AS n FROM journal WHERE substr(event, 1, 1) = '{'").get() as { n: number };
  db.close();
  assert.equal(clear.n, 0, 'every journal row sealed');
  rmSync(old, { recursive: true, force: true });
});

test('keys rotate-data while the server runs: new rows use the new key, old rows still read', async () => {
  const dir = tempDir('fk-crypt-rot-');
  const keys = createKeys(dir);
  const s = await startTestServer({ dir, keys, snapshots: false });
  try {
    await feed(s.url, keys.admin, world().slice(0, -3));
    const help = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/fengkong.js'), 'keys', 'rotate-data', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /rotate-data/);
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/fengkong.js'), 'keys', 'rotate-data', '--data', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /data key 2 is now active/);
    await sleep(2_200);
    await feed(s.url, keys.admin, world().slice(-3));
    const db = new BetterSqlite3(join(dir, 'fengkong.db'), { readonly: true });
    const ids = (db.prepare("SELECT event FROM journal ORDER BY seq").all() as { event: string }[]).map((row) => Buffer.from(row.event.slice(2), 'base64').readUInt32BE(1));
    db.close();
    assert.equal(ids[0], 1);
    assert.equal(ids[ids.length - 1], 2, 'the newest rows are sealed with the rotated key');
    for (const id of ['enc-0', 'enc-5']) assert.equal((await call(s.url, `/v1/decisions/${id}`, { key: keys.analyst })).status, 200);
  } finally {
    await s.close(true);
  }
  const b = await startTestServer({ dir, keys, snapshots: false });
  try {
    assert.equal((await call(b.url, '/v1/decisions/enc-0', { key: keys.analyst })).status, 200);
    assert.equal((await call(b.url, '/v1/decisions/enc-5', { key: keys.analyst })).status, 200);
  } finally {
    await b.close();
  }
});
