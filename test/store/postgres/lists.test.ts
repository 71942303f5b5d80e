// The PostgreSQL list store: the shared ListStore contract on a fresh database per test, then what
// is the cluster's own: no clear value or reason in the raw rows (entries kept by token), the audit
// record written in the change's transaction (and rolled back with it), and two nodes changing lists
// at once without losing a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainVerifier } from '../../../src/audit/chain.js';
import { walkChain } from '../../../src/cli/audit.js';
import { ListSet } from '../../../src/lists/list-set.js';
import type { ListEntry } from '../../../src/lists/types.js';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { PgListStore } from '../../../src/store/postgres/lists.js';
import { listsContract, type ListsUnderTest } from '../contract/lists.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

listsContract('PgListStore', pgHarness<ListsUnderTest>(async ({ pg, masterKeyFile }) => {
  const crypt = await PgCrypt.open(pg, { masterKeyFile });
  return {
    port: {
      lists: await PgListStore.open(pg, { crypt }),
      withHook: (onChange) => new PgListStore(pg, crypt, { onChange }),
    },
  };
}));

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);
const entry = (value: string, reason = 'r'): ListEntry => ({ value, reason, author: 'key_admin', addedAt: NOW, expiresAt: null });

function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pglists-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

test('PgListStore: the raw rows hold tokens and sealed texts, never a clear value or reason; lookups go by token', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await quietly(() => PgListStore.open(p, { masterKeyFile: masterKey(t) }));
  await s.putEntry('block_devices', entry('dev-SECRET-4f1c', 'Zhang Wei reported it stolen'), 'key_a');
  await s.putEntry('block_accounts', entry('acc-13800138000', 'mule ring'), 'key_a');
  const raw = await p.pool.query('SELECT * FROM list_entries');
  const text = JSON.stringify(raw.rows);
  for (const secret of ['SECRET', '13800138000', 'Zhang', 'mule ring']) assert.ok(!text.includes(secret), `no ${secret} in the raw rows`);
  assert.ok(raw.rows.every((r: { token: string }) => /^t:[0-9a-f]{64}$/.test(r.token)));
  assert.deepEqual((await s.entries('block_devices')).entries, [entry('dev-SECRET-4f1c', 'Zhang Wei reported it stolen')]);
  const replaced = await s.putEntry('block_devices', entry('dev-SECRET-4f1c', 'confirmed'), 'key_b');
  assert.equal((replaced.before as ListEntry).reason, 'Zhang Wei reported it stolen', 'the same value finds the same row');
  assert.equal((await s.list('block_devices'))?.entries, 1);
  await s.removeEntry('block_accounts', 'acc-13800138000', 'key_a');
  assert.equal((await s.list('block_accounts'))?.entries, 0);
});

test('PgListStore: each change is audited in its own transaction, sealed; a failing hook rolls back change and record', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const key = masterKey(t);
  const audit = await quietly(() => PgAuditLog.open(p, { masterKeyFile: key }));
  let fail = false;
  const s = await PgListStore.open(p, { masterKeyFile: key, audit, onChange: () => {
    if (fail) throw new Error('audit disk full');
  } });
  await s.putEntry('block_devices', entry('dev-1', 'stolen phone'), 'key_admin');
  await s.removeEntry('block_devices', 'dev-1', 'key_lead');
  const log = (await audit.list({ action: 'list.' })).reverse();
  assert.deepEqual(log.map((e) => [e.actor, e.action]), [['key_admin', 'list.entry.add'], ['key_lead', 'list.entry.remove']]);
  assert.match(log[0].target, /^lists\/block_devices\/t:[0-9a-f]{64}$/);
  const rows = JSON.stringify((await p.pool.query('SELECT * FROM audit_log')).rows);
  assert.ok(!rows.includes('dev-1') && !rows.includes('stolen phone'), 'no clear value or reason in the audit rows');
  fail = true;
  await assert.rejects(s.putEntry('block_devices', entry('dev-2'), 'key_admin'), /audit disk full/);
  assert.equal((await s.list('block_devices'))?.entries, 0, 'the change rolled back');
  assert.equal((await audit.head()).seq, 2, 'and its record with it');
  const v = new ChainVerifier();
  await walkChain(audit, v);
  assert.equal(v.verdict().ok, true);
});

test('PgListStore: two nodes changing lists at once lose nothing; the version counts every change', async (t) => {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const one = await quietly(() => PgListStore.open(p1, { masterKeyFile: key }));
  const two = await PgListStore.open(p2, { masterKeyFile: key });
  const v0 = await one.version();
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => one.putEntry('block_accounts', entry(`acc-${i}`), 'node-1')),
    ...Array.from({ length: 20 }, (_, i) => two.putEntry('block_accounts', entry(`acc-${i + 20}`), 'node-2')),
  ]);
  assert.equal(await two.version(), v0 + 40);
  const set = new ListSet();
  assert.equal(await one.loadInto(set, NOW), 40);
  assert.equal(set.has('block_accounts', 'acc-39', NOW), true);
  const page = await two.entries('block_accounts', { limit: 1000 });
  assert.equal(page.entries.length, 40);
  assert.deepEqual(page.entries.map((e) => e.value), page.entries.map((e) => e.value).sort());
});
